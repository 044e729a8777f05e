#!/usr/bin/env bash
# azd's postdeploy hook (azure.yaml): once the code is deployed, makes the Function App's host key `fanout-self` the
# vault's secret `fanout-self-call-key`, the key the app sends on its calls to itself (FanOut__FunctionKey, a Key Vault
# reference to that secret). The template cannot create that key: on Flex Consumption the host's key API fails until
# code is deployed (azure-functions-host#11379), and `azd up` provisions before it deploys.
#
# Idempotent: when the key already holds the secret's value, it sets nothing. The value is never printed and never on
# a command line: az reads it from a pipe (`--key-value @-`).
#
# Needs the Azure CLI signed in (`az login`; azd's own sign-in is separate) as a principal that may read the secret
# (Key Vault Secrets User on it: the template grants it to the deployer, AZURE_PRINCIPAL_ID) and set host keys
# (Contributor or Website Contributor on the app). azd passes the environment's values as variables: the template's
# outputs AZURE_FUNCTION_APP_NAME, AZURE_RESOURCE_GROUP and AZURE_KEY_VAULT_NAME, and AZURE_SUBSCRIPTION_ID.
# Run it again by hand with `azd hooks run postdeploy`.
set -euo pipefail

app=${AZURE_FUNCTION_APP_NAME:?postdeploy: AZURE_FUNCTION_APP_NAME is not set (run azd provision first)}
group=${AZURE_RESOURCE_GROUP:?postdeploy: AZURE_RESOURCE_GROUP is not set (run azd provision first)}
vault=${AZURE_KEY_VAULT_NAME:?postdeploy: AZURE_KEY_VAULT_NAME is not set (run azd provision first)}
subscription=${AZURE_SUBSCRIPTION_ID:?postdeploy: AZURE_SUBSCRIPTION_ID is not set}
key_name=fanout-self
secret_name=fanout-self-call-key
# Right after provisioning, the deployer's role on the secret may take minutes to apply, and the host may still be
# starting after the deploy: each call is tried a bounded number of times.
attempts=${FANOUT_HOOK_ATTEMPTS:-20}
pause=${FANOUT_HOOK_RETRY_SECONDS:-15}

# Runs a command until it succeeds, at most $attempts times. Its stdout is the caller's; az's errors name no secret.
retry() {
  local what=$1 n=1
  shift
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      echo "postdeploy: $what failed $n times; giving up." >&2
      return 1
    fi
    echo "postdeploy: $what failed (attempt $n of $attempts); trying again in ${pause} s." >&2
    n=$((n + 1))
    sleep "$pause"
  done
}

command -v az >/dev/null || { echo "postdeploy: the Azure CLI (az) is required to set the host key $key_name." >&2; exit 1; }
az account show --subscription "$subscription" --output none ||
  { echo "postdeploy: sign the Azure CLI in (az login) to the subscription $subscription: azd's sign-in is separate." >&2; exit 1; }

wanted=$(retry "reading the secret $secret_name of the vault $vault (the deployer needs Key Vault Secrets User on it)" \
  az keyvault secret show --subscription "$subscription" --vault-name "$vault" --name "$secret_name" --query value --output tsv)
if [ -z "$wanted" ]; then
  echo "postdeploy: the secret $secret_name of the vault $vault is empty." >&2
  exit 1
fi

current=$(retry "reading the host keys of $app" \
  az functionapp keys list --subscription "$subscription" --resource-group "$group" --name "$app" \
    --query 'functionKeys."fanout-self"' --output tsv)
if [ "$current" = "$wanted" ]; then
  echo "postdeploy: the host key $key_name of $app already holds the vault's $secret_name; nothing to set."
  exit 0
fi

set_key() {
  printf '%s' "$wanted" | az functionapp keys set --subscription "$subscription" --resource-group "$group" --name "$app" \
    --key-type functionKeys --key-name "$key_name" --key-value @- --output none
}
retry "setting the host key $key_name of $app" set_key
echo "postdeploy: set the host key $key_name of $app to the vault's $secret_name: the app's calls to itself are accepted."
