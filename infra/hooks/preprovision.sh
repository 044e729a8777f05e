#!/usr/bin/env bash
# azd's preprovision hook (azure.yaml): keeps the app's keys across provisions. The template writes the vault's
# secrets from three parameters (signingKey, notifySigningKey, selfCallKey), which azd generates when they have no
# value. From the azd environment the first `azd up` made, they have one. From a blank environment (a CI runner, a
# second machine) they would not, and a provision would write three new keys: a rotation without the previous key,
# which breaks every job in flight. So, when the environment's vault already exists, this hook reads the keys it holds
# and gives them to the provision (`azd env set FANOUT_SIGNING_KEY` and so on, which main.parameters.json maps to the
# parameters; azd reads the environment again before it loads the parameters). A variable the environment already
# sets wins: that is how a rotation gives a new key (docs/DEPLOY.md). On a first provision there is no vault and it
# does nothing: azd generates the keys.
#
# Never prints a value. Needs the Azure CLI signed in (`az login`; azd's sign-in is separate) as a principal that may
# read the three secrets (Key Vault Secrets User on each: the template grants it to the deployer, AZURE_PRINCIPAL_ID).
# azd passes AZURE_ENV_NAME and AZURE_SUBSCRIPTION_ID; the resource group is rg-<environment> (infra/main.bicep).
set -euo pipefail

env_name=${AZURE_ENV_NAME:?preprovision: AZURE_ENV_NAME is not set}
subscription=${AZURE_SUBSCRIPTION_ID:?preprovision: AZURE_SUBSCRIPTION_ID is not set}
group="rg-$env_name"

command -v az >/dev/null || { echo "preprovision: the Azure CLI (az) is required to keep the app's keys across provisions." >&2; exit 1; }
az account show --subscription "$subscription" --output none ||
  { echo "preprovision: sign the Azure CLI in (az login) to the subscription $subscription: azd's sign-in is separate." >&2; exit 1; }

if [ "$(az group exists --subscription "$subscription" --name "$group" --output tsv)" != true ]; then
  echo "preprovision: $group does not exist yet: a first provision, azd generates the app's keys."
  exit 0
fi
vault=$(az keyvault list --subscription "$subscription" --resource-group "$group" --query '[0].name' --output tsv)
if [ -z "$vault" ]; then
  echo "preprovision: $group has no Key Vault yet: azd generates the app's keys."
  exit 0
fi

# Gives the provision the vault's secret $2 as the environment variable $1, unless the environment sets $1 already.
keep() {
  local variable=$1 secret=$2 value
  if [ -n "${!variable:-}" ]; then
    echo "preprovision: $variable is set in the environment: the provision writes it to $secret."
    return 0
  fi
  if ! value=$(az keyvault secret show --subscription "$subscription" --vault-name "$vault" --name "$secret" --query value --output tsv); then
    echo "preprovision: cannot read $secret of the vault $vault: the signed-in principal needs Key Vault Secrets User on it" \
      "(a provision grants it to AZURE_PRINCIPAL_ID). Not provisioning: new keys would break the jobs in flight." >&2
    exit 1
  fi
  if [ -z "$value" ]; then
    echo "preprovision: $secret of the vault $vault is empty; not provisioning." >&2
    exit 1
  fi
  azd env set "$variable" "$value" >/dev/null
  echo "preprovision: $variable kept from the vault's $secret."
}

keep FANOUT_SIGNING_KEY fanout-signing-key
keep FANOUT_NOTIFY_SIGNING_KEY fanout-notify-signing-key
keep FANOUT_SELF_CALL_KEY fanout-self-call-key
