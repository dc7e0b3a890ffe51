#!/usr/bin/env bash
# azd postprovision hook: what Bicep cannot do. It creates the DingTalk callback token and aes_key in the Key
# Vault, only when absent (a new value would break the callback already saved in DingTalk), and prints the links
# the admins need. It never prints a secret. Outside azd, run it with KEYVAULTNAME (and the URLs) set.
set -euo pipefail

# azd exports the template's outputs in upper case.
vault="${KEYVAULTNAME:?the template output keyVaultName is missing: run azd provision}"

# The Key Vault Secrets Officer role the template just granted takes a few minutes to reach the vault, so the
# listing is retried; a listing that still fails stops the hook rather than overwrite a secret it could not see.
existing=''
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if existing="$(az keyvault secret list --vault-name "$vault" --query '[].name' -o tsv 2>/dev/null)"; then
    break
  fi
  if [ "$attempt" -eq 10 ]; then
    echo "Cannot list the secrets of $vault: the signed-in az account needs Key Vault Secrets Officer on it." >&2
    exit 1
  fi
  echo "waiting for the Key Vault role assignment to take effect ($attempt/10)..."
  sleep 30
done

# Letters and digits only, drawn from the kernel's generator; aes_key must be exactly 43 such characters.
random_alnum() {
  local length="$1" secret=''
  while [ "${#secret}" -lt "$length" ]; do
    secret="$secret$(head -c 256 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')"
  done
  printf '%s' "${secret:0:$length}"
}

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
chmod 700 "$workdir"

# The value goes through a private file rather than the command line, where other local users could read it, and
# --output none keeps az from echoing it back.
store_if_absent() {
  local name="$1" length="$2"
  if printf '%s\n' "$existing" | grep -qx "$name"; then
    echo "kept $name (already in $vault)"
    return
  fi
  (umask 077 && random_alnum "$length" >"$workdir/value")
  az keyvault secret set --vault-name "$vault" --name "$name" --file "$workdir/value" --encoding utf-8 --output none
  rm -f "$workdir/value"
  echo "created $name in $vault"
}
store_if_absent dingtalk-callback-token 32
store_if_absent dingtalk-callback-aes-key 43

cat <<MSG

Deployed. Next steps (README, "Deploy to Azure"):
  Consent link:          ${CONSENTURL:-<consentUrl>}?code=<key of the "consent" function>
  Status page:           ${STATUSPAGEURL:-<statusPageUrl>} (Entra sign-in with the Sync.Admin role)
  DingTalk callback URL: ${DINGTALKCALLBACKURL:-<dingtalkCallbackUrl>}
  App registration:      ${GRAPHCLIENTID:-<graphClientId>} (GRAPH_CREDENTIAL ${GRAPHCREDENTIAL:-<graphCredential>})
Function keys: az functionapp function keys list -g ${AZURE_RESOURCE_GROUP:-<rg>} -n ${FUNCTIONAPPNAME:-<function app>} --function-name consent
Status page sign-in: assign admins the app role Sync.Admin of that app registration (docs/deploy.md).
The DingTalk console asks for the token and aes_key of the callback; read them from the vault:
  az keyvault secret show --vault-name $vault -n dingtalk-callback-token --query value -o tsv
  az keyvault secret show --vault-name $vault -n dingtalk-callback-aes-key --query value -o tsv
MSG
# Only GRAPH_CREDENTIAL=secret reads a Graph client secret; the template's default, the managed identity, has none.
reminders=('dingtalk-app-secret:<DingTalk AppSecret>')
if [ "${GRAPHCREDENTIAL:-}" = secret ]; then
  reminders+=('graph-client-secret:<entra client secret>')
fi
for pair in "${reminders[@]}"; do
  name="${pair%%:*}"
  if ! printf '%s\n' "$existing" | grep -qx "$name"; then
    echo "Still to store (the app cannot sign in without it): az keyvault secret set --vault-name $vault -n $name --value ${pair#*:}"
  fi
done
