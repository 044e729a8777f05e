// FanOut on Azure: one resource group holding a Function App on the Flex Consumption plan, its Storage account,
// Application Insights with its Log Analytics workspace, and a Key Vault with the app's keys (resources.bicep).
// `azd up` deploys it: azd passes environmentName and location (main.parameters.json) and generates the keys
// once per environment (the `generate` metadata below), keeping them in .azure/<environment>/config.json; from a
// blank environment, azd's preprovision hook (infra/hooks/preprovision.sh) hands the keys the vault already holds
// back to the provision (FANOUT_SIGNING_KEY, FANOUT_NOTIFY_SIGNING_KEY, FANOUT_SELF_CALL_KEY), so none changes. The template
// creates no host or function key (on Flex the host's key API fails until code is deployed): azd's postdeploy hook,
// infra/hooks/postdeploy.sh, sets the app's host key from the vault once the code is there.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds the resources\' unique names.')
param environmentName string

// The regions that offer the Flex Consumption plan, written down on 2026-12-07 from the list of
// Azure-Samples/functions-quickstart-dotnet-azd (the azd quickstart for .NET on Flex, which deploys dotnet-isolated
// 10.0 since 2026-02-24; its list was last updated on 2025-05-05), its canary region eastus2euap left out. No list for
// .NET 10 alone was found: the platform's documentation sends readers to `az functionapp
// list-flexconsumption-locations` and `az functionapp list-flexconsumption-runtimes --location <region> --runtime
// dotnet-isolated`, which answer for a subscription on the day they run: run them when a region is refused, or to add
// one.
@minLength(1)
@description('Azure region of every resource: one that offers the Flex Consumption plan.')
@metadata({ azd: { type: 'location' } })
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
param location string

@minValue(1)
@maxValue(3650)
@description('Days after which the lifecycle rule deletes a job\'s blobs (jobs/ and index/ of the jobs container) not modified since.')
param jobRetentionDays int = 30

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB (LocalHost\'s instances stand for 2,048 MB ones).')
param instanceMemoryMB int = 2048

// Flex's bounds today (the Functions docs' event-driven scaling, "Limit scale-out": 1 to 1,000; the subscription's
// regional memory quota may stop the scale-out earlier).
@minValue(1)
@maxValue(1000)
@description('Most instances the app scales out to; the app reads the same number (FanOut__Platform__MaximumInstanceCount).')
param maximumInstanceCount int = 100

@minValue(1)
@maxValue(1000)
@description('Concurrent HTTP invocations one instance runs at most (Flex\'s default for 2,048 MB is 16); the app reads the same number (FanOut__Platform__PerInstanceConcurrency), as LocalHost\'s --per-instance-concurrency.')
param perInstanceConcurrency int = 16

@minValue(0)
@maxValue(1000)
@description('Instances Flex keeps running for the app\'s HTTP functions even when idle (always ready, billed while idle): no cold start for the first calls. 0, the default, scales to zero.')
param alwaysReady int = 0

@description('Hosts a job\'s notify.url may name, comma-separated (FanOut__Notify__AllowedHosts); empty accepts no notify.')
param notifyAllowedHosts string = ''

@description('Object id of a user or service principal (azd passes the signed-in one) given Storage Blob Data Contributor on the input container, to upload data; empty for none.')
param uploaderPrincipalId string = ''

@description('Object id of the user or service principal that deploys (azd passes the signed-in one): it may read the vault\'s secret fanout-self-call-key, which the postdeploy hook (infra/hooks/postdeploy.sh) sets as the app\'s host key; empty for none.')
param deployerPrincipalId string = ''

@secure()
@description('HMAC key of the app\'s calls to itself (FanOut__SigningKey); azd generates it once.')
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
param signingKey string

@secure()
@description('The signing key before a rotation, still accepted (FanOut__PreviousSigningKey); empty for none.')
param previousSigningKey string = ''

@secure()
@description('HMAC key of completion notices (FanOut__Notify__SigningKey); azd generates it once.')
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
param notifySigningKey string

@secure()
@description('Host key the app sends on its calls to itself (FanOut__FunctionKey); azd generates it once, the postdeploy hook makes it the app\'s host key fanout-self.')
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
param selfCallKey string

var tags = { 'azd-env-name': environmentName }

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module fanout 'resources.bicep' = {
  name: 'fanout'
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    jobRetentionDays: jobRetentionDays
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    perInstanceConcurrency: perInstanceConcurrency
    alwaysReady: alwaysReady
    notifyAllowedHosts: notifyAllowedHosts
    uploaderPrincipalId: uploaderPrincipalId
    deployerPrincipalId: deployerPrincipalId
    signingKey: signingKey
    previousSigningKey: previousSigningKey
    notifySigningKey: notifySigningKey
    selfCallKey: selfCallKey
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = fanout.outputs.functionAppName
output AZURE_STORAGE_ACCOUNT_NAME string = fanout.outputs.storageAccountName
output AZURE_STORAGE_BLOB_ENDPOINT string = fanout.outputs.blobEndpoint
output AZURE_KEY_VAULT_NAME string = fanout.outputs.keyVaultName
output FANOUT_URL string = fanout.outputs.url
output FANOUT_INPUT_CONTAINER string = fanout.outputs.inputContainer
