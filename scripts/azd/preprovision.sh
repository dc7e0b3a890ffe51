#!/usr/bin/env bash
# azd preprovision hook: stops before anything is created when a value only the deployer knows is missing, and
# names the command that sets it (infra/main.bicepparam reads them from the azd environment).
set -euo pipefail

if ! command -v az >/dev/null 2>&1; then
  echo "The Azure CLI (az) is required: the postprovision hook stores the DingTalk callback secrets with it." >&2
  exit 1
fi
if ! az account show --output none 2>/dev/null; then
  echo "Sign in to the Azure CLI as the account azd uses: az login" >&2
  exit 1
fi

missing=0
need() {
  local name="$1" hint="$2"
  if [ -z "${!name:-}" ]; then
    echo "missing: azd env set $name <$hint>" >&2
    missing=1
  fi
}
need DINGTALK_APP_KEY "the DingTalk app's Client ID (AppKey)"
need DINGTALK_CORP_ID 'the DingTalk CorpId, starts with ding'
if [ "$missing" -ne 0 ]; then
  echo "Set the values above, then run azd up again." >&2
  exit 1
fi

# Without GRAPH_CLIENT_ID the template creates the app registration with the Microsoft Graph Bicep extension,
# which works in the public cloud only (docs/deploy.md, "The app registration").
if [ -z "${GRAPH_CLIENT_ID:-}" ]; then
  cloud="$(az cloud show --query name -o tsv)"
  if [ "$cloud" != "AzureCloud" ]; then
    echo "The template can create the app registration in the public cloud only (this is $cloud): create it yourself and run azd env set GRAPH_CLIENT_ID <its Application (client) ID> (docs/deploy.md)." >&2
    exit 1
  fi
  echo "GRAPH_CLIENT_ID is not set: the template creates the app registration; your account must be allowed to register applications (docs/deploy.md, \"Directory roles\")."
fi

# The template gives this principal Key Vault Secrets Officer so that the postprovision hook may write secrets.
if [ -z "${AZURE_PRINCIPAL_ID:-}" ]; then
  principal="$(az ad signed-in-user show --query id -o tsv)"
  azd env set AZURE_PRINCIPAL_ID "$principal"
fi
