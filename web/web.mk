# SPDX-License-Identifier: GPL-2.0-only
#
# The web control panel (web/): plain HTML, CSS and ES modules, with
# xterm.js and uPlot from npm, pinned by web/package-lock.json.
#
#   make web      npm ci (only when the lockfile changed), then bundle into
#                 build/web/: index.html and content-hashed assets/ files
#
# provisiond serves build/web from its web_root; the dom0 image ships it at
# /usr/share/provisiond/web (dom0-image/dom0.mk).  WEB_SOURCEMAP=1 adds
# source maps for debugging (not shipped by default: 2 MB).

WEB_DIR     := web
WEB_OUT     := $(BUILD)/web
WEB_STAMP   := $(BUILD)/web.stamp
WEB_MODULES := $(WEB_DIR)/node_modules/.ci-stamp
WEB_SOURCES := $(WEB_DIR)/build.mjs $(shell find $(WEB_DIR)/src -type f 2>/dev/null)
NPM         ?= npm

.PHONY: web web-clean
web: $(WEB_STAMP)

# npm ci installs exactly what the lockfile says, afresh.
$(WEB_MODULES): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && $(NPM) ci --no-audit --no-fund
	touch $@

$(WEB_STAMP): $(WEB_MODULES) $(WEB_SOURCES)
	node $(WEB_DIR)/build.mjs $(abspath $(WEB_OUT))
	touch $@

# The directory as a prerequisite (the dom0 image copies it whole).
$(WEB_OUT): $(WEB_STAMP)

web-clean:
	rm -rf $(WEB_OUT) $(WEB_STAMP) $(WEB_DIR)/node_modules
