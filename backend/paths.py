"""Where the project's files live, so every module agrees on one layout."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
ARTIFACTS_DIR = PROJECT_ROOT / "build" / "contracts"
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
DAPP_DIST = PROJECT_ROOT / "dapp" / "dist"  # `npm run build -w dapp` writes the web app here
