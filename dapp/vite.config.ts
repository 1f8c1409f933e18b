import { readdirSync, readFileSync } from "node:fs";
import react from "@vitejs/plugin-react";
import { loadEnv } from "vite";
import { defineConfig } from "vitest/config";

const TESTS = /\.test\.tsx?$/;
const SOURCES = new URL("src/", import.meta.url); // whatever the working directory

/** The test files that replace a module (`vi.mock`): a module graph shared with other files would hand them the
 *  module already loaded, not their stand-in. */
function filesMockingModules(): string[] {
  return readdirSync(SOURCES, { recursive: true, encoding: "utf8" })
    .filter((path) => TESTS.test(path) && readFileSync(new URL(path, SOURCES), "utf8").includes("vi.mock("))
    .map((path) => `src/${path.replaceAll("\\", "/")}`);
}

export default defineConfig(({ mode }) => {
  // The API `npm run dev` forwards to: `hdex up`'s default address, or HDEX_API_URL.
  const api = loadEnv(mode, ".", "HDEX_").HDEX_API_URL ?? "http://127.0.0.1:8000";
  const mocking = filesMockingModules();
  return {
    plugins: [react()],
    base: "/",
    build: {
      outDir: "dist",
      emptyOutDir: true,
      assetsDir: "assets",
      sourcemap: false,
      // a tripwire on the one first script (below), set just above what it weighs: growth should be noticed
      chunkSizeWarningLimit: 950,
      rolldownOptions: {
        output: {
          // Everything the trading page loads first stays one script (one request, one gzip window);
          // the chart, the account page and the back office stay chunks of their own, loaded on demand.
          codeSplitting: { groups: [{ name: "app", tags: ["$initial"] }] },
        },
      },
    },
    server: {
      proxy: {
        "/v1/ws": { target: api.replace(/^http/, "ws"), ws: true },
        "/v1": { target: api },
        "/health": { target: api },
      },
    },
    test: {
      environment: "node",
      // A fresh module graph for each test file (Vitest's default) made the suite spend nine tenths of its time
      // importing React, viem and the app again for each of its hundred files: most files share one graph per
      // worker, and a test must not lean on module state another file may have changed. Files that mock modules
      // keep a graph of their own.
      projects: [
        { extends: true, test: { name: "mocks", include: mocking, isolate: true } },
        { extends: true, test: { name: "shared", include: ["src/**/*.test.{ts,tsx}"], exclude: mocking, isolate: false } },
      ],
    },
  };
});
