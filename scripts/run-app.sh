#!/usr/bin/env bash
# Set up the environment and start the dashboard on http://localhost:8501.
# With no VEU_DATA_DIR the app generates the synthetic demo dataset on its first start.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/streamlit run dashboard/app.py --server.headless true --browser.gatherUsageStats false "$@"
