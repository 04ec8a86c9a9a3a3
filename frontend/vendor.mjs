// Copies the pinned front-end packages (package.json / package-lock.json) into frontend/static/vendor, so the app
// serves every asset itself (no CDN) and `make run` needs no Node. Run: `npm ci && npm run vendor`, then commit.
// axe-core is for the browser tests only and goes to tests/browser/vendor (never served by the app).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const out = join(root, "frontend", "static", "vendor");
const files = [
  ["fullcalendar/index.global.min.js", "fullcalendar/index.global.min.js"],
  ["fullcalendar/LICENSE.md", "fullcalendar/LICENSE.md"],
  ["@fullcalendar/core/locales/nl.global.min.js", "fullcalendar/locales/nl.global.min.js"],
  ["@fullcalendar/core/locales/en-gb.global.min.js", "fullcalendar/locales/en-gb.global.min.js"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["htmx.org/LICENSE", "htmx/LICENSE"],
  ["@utrecht/component-library-css/dist/index.css", "utrecht/component-library.css"],
  ["@utrecht/design-tokens/dist/theme.css", "utrecht/design-tokens-theme.css"],
  ["@utrecht/component-library-css/LICENSE.md", "utrecht/LICENSE.md"],
  // The map on the search and house pages (frontend/static/frontend/map.js); tiles come from PDOK, not from here.
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images/marker-icon.png", "leaflet/images/marker-icon.png"],
  ["leaflet/dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"],
  ["leaflet/dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"],
  ["leaflet/dist/images/layers.png", "leaflet/images/layers.png"],
  ["leaflet/dist/images/layers-2x.png", "leaflet/images/layers-2x.png"],
  ["leaflet/LICENSE", "leaflet/LICENSE"],
];
rmSync(out, { recursive: true, force: true });
const versions = {};
for (const [from, to] of files) {
  const src = join(root, "node_modules", from);
  const dest = join(out, to);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  const pkg = from.startsWith("@") ? from.split("/").slice(0, 2).join("/") : from.split("/")[0];
  versions[pkg] = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"))).version;
}
const axe = join(root, "tests", "browser", "vendor", "axe.min.js");
mkdirSync(dirname(axe), { recursive: true });
copyFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), axe);
versions["axe-core"] = JSON.parse(readFileSync(join(root, "node_modules", "axe-core", "package.json"))).version;
writeFileSync(join(out, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log("vendored into frontend/static/vendor:", versions);
