#!/usr/bin/env bash
# Runs the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64, pinned in build/bicep/Bicep.targets), restoring
# it first if needed: `build/bicep.sh build infra/main.bicep`. Without arguments, prints the binary's path.
set -euo pipefail
proj="$(cd "$(dirname "$0")" && pwd)/bicep/Bicep.proj"
restored=$(dotnet restore "$proj" -v q -nologo 2>&1) || { echo "$restored" >&2; exit 1; }
bicep=$(dotnet msbuild "$proj" -nologo -getProperty:BicepPath)
[ -x "$bicep" ] || { echo "build/bicep.sh: no Bicep CLI at $bicep after restore" >&2; exit 1; }
if [ $# -eq 0 ]; then echo "$bicep"; else exec "$bicep" "$@"; fi
