import react from "@vitejs/plugin-react";
import { loadEnv } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig(({ mode }) => {
  // The API `npm run dev` forwards to: `hdex up`'s default address, or HDEX_API_URL.
  const api = loadEnv(mode, ".", "HDEX_").HDEX_API_URL ?? "http://127.0.0.1:8000";
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
      include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    },
  };
});
