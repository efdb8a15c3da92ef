// SPDX-License-Identifier: GPL-2.0-only
/* suites.h - the unit-test suites of provisiond, one per file. */
#ifndef PROVISIOND_TEST_SUITES_H
#define PROVISIOND_TEST_SUITES_H

#include <check.h>

Suite *validate_suite(void);
Suite *auth_suite(void);
Suite *job_state_suite(void);
Suite *migrations_suite(void);
Suite *config_suite(void);
Suite *tls_suite(void);
Suite *utf8_suite(void);
Suite *ipam_suite(void);
Suite *volumes_suite(void);
Suite *seed_suite(void);
Suite *webhooks_suite(void);
Suite *websocket_suite(void);
Suite *static_suite(void);
Suite *session_suite(void);
Suite *usage_suite(void);
Suite *usage_recent_suite(void);

#endif
