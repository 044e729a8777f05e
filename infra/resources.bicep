// The resources of one FanOut deployment, in one resource group (main.bicep creates the group and calls this).
// No account key or connection string is deployed: the app reaches its storage with its system-assigned
// identity, and reads its keys from the vault through Key Vault references.

param location string
param tags object
@minLength(13)
@maxLength(13)
@description('A unique token (uniqueString of the subscription, environment and region) that makes the global names unique.')
param resourceToken string
param jobRetentionDays int
param instanceMemoryMB int
param maximumInstanceCount int
param perInstanceConcurrency int
param alwaysReady int
param notifyAllowedHosts string
param uploaderPrincipalId string
param deployerPrincipalId string
@secure()
param signingKey string
@secure()
param previousSigningKey string
@secure()
param notifySigningKey string
@secure()
param selfCallKey string

// FanOut's own containers. The jobs container is the app's default (FanOut__Storage__Container); the lifecycle
// rule below names its prefixes, so change both together.
var jobsContainerName = 'fanout'
var inputContainerName = 'inputs'
var deploymentContainerName = 'app-package'

// Built-in role definitions (the same ids in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// ---------------------------------------------------------------------------------------------------------------
// Monitoring: Application Insights over a Log Analytics workspace, ingesting only with Entra ID (the app's identity).

resource logs 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Storage: the Functions host's storage, the deployment package, the jobs and the input data, in one account that
// accepts only Entra ID (no shared key), over HTTPS with TLS 1.2 or later.

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource jobsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobs
  name: jobsContainerName
}

resource inputContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobs
  name: inputContainerName
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobs
  name: deploymentContainerName
}

// A job's blobs (jobs/{jobId}/…, progress logs are append blobs) and its index entry go once nothing has written
// them for jobRetentionDays: a job's index entry is rewritten when it ends, so it goes with its blobs.
resource retention 'Microsoft.Storage/storageAccounts/managementPolicies@2026-09-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-jobs'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob', 'appendBlob']
              prefixMatch: ['fanout/jobs/', 'fanout/index/']
            }
            actions: {
              baseBlob: {
                delete: { daysAfterModificationGreaterThan: jobRetentionDays }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [jobsContainer]
}

// ---------------------------------------------------------------------------------------------------------------
// Key Vault: the app's keys, read by the app's identity through Key Vault references (RBAC, no access policies).

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource signingKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'fanout-signing-key'
  properties: { value: signingKey }
}

resource previousSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(previousSigningKey)) {
  parent: vault
  name: 'fanout-previous-signing-key'
  properties: { value: previousSigningKey }
}

resource notifySigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'fanout-notify-signing-key'
  properties: { value: notifySigningKey }
}

resource selfCallKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'fanout-self-call-key'
  properties: { value: selfCallKey }
}

// ---------------------------------------------------------------------------------------------------------------
// The Function App: Flex Consumption, .NET isolated, HTTPS only, with a system-assigned identity.

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-${resourceToken}'
  location: location
  tags: union(tags, { 'azd-service-name': 'fanout' })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      // The host's storage from its first start, by identity (the full settings follow once the roles exist).
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      // The platform's budget; the app settings FanOut__Platform__* below carry the same numbers to the app.
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        triggers: { http: { perInstanceConcurrency: perInstanceConcurrency } }
        // Always-ready instances of the HTTP functions' group ('http'), on top of maximumInstanceCount; none by default.
        alwaysReady: alwaysReady > 0 ? [{ name: 'http', instanceCount: alwaysReady }] : []
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
  }
}

// The narrowest roles the app needs. Blob Data Owner on the account is what the Functions host documents for an
// identity-based AzureWebJobsStorage (its keys, locks and the deployment package); FanOut's own jobs and inputs are
// blobs in the same account. No queue or table role: the app has HTTP functions only.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, app.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, app.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Whoever uploads the data (azd passes the signed-in principal) may write to the input container, and only there.
resource uploaderInputContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(uploaderPrincipalId)) {
  name: guid(inputContainer.id, uploaderPrincipalId, roles.storageBlobDataContributor)
  scope: inputContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: uploaderPrincipalId
  }
}

// Whoever deploys (azd passes the signed-in principal) may read the three keys it provisions, and no other secret: the
// self-call key, which the postdeploy hook sets as the app's host key once the code is deployed; and all three, which
// the preprovision hook hands back to the next provision, so that a provision from a blank azd environment (a CI
// runner) writes the same keys rather than new ones. Never the previous signing key or anything else in the vault.
resource deployerSelfCallKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(selfCallKeySecret.id, deployerPrincipalId, roles.keyVaultSecretsUser)
  scope: selfCallKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: deployerPrincipalId
  }
}

resource deployerSigningKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(signingKeySecret.id, deployerPrincipalId, roles.keyVaultSecretsUser)
  scope: signingKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: deployerPrincipalId
  }
}

resource deployerNotifySigningKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(notifySigningKeySecret.id, deployerPrincipalId, roles.keyVaultSecretsUser)
  scope: notifySigningKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: deployerPrincipalId
  }
}

// Written after the roles, so that the identity can resolve the Key Vault references and reach the storage when
// the host restarts with them.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // The Functions host's storage, by identity: the account name and the managed identity, never a key.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    FanOut__SelfBaseUrl: 'https://${app.properties.defaultHostName}'
    FanOut__FunctionKey: '@Microsoft.KeyVault(SecretUri=${selfCallKeySecret.properties.secretUri})'
    FanOut__SigningKey: '@Microsoft.KeyVault(SecretUri=${signingKeySecret.properties.secretUri})'
    FanOut__Notify__SigningKey: '@Microsoft.KeyVault(SecretUri=${notifySigningKeySecret.properties.secretUri})'
    // Empty unless a rotation is under way (an empty key is no key).
    FanOut__PreviousSigningKey: empty(previousSigningKey)
      ? ''
      : '@Microsoft.KeyVault(SecretUri=${previousSigningKeySecret!.properties.secretUri})'
    FanOut__Notify__AllowedHosts: notifyAllowedHosts
    // FanOut's jobs, by identity too (DefaultAzureCredential).
    FanOut__Storage__ServiceUri: storage.properties.primaryEndpoints.blob
    FanOut__Storage__Container: jobsContainerName
    FanOut__Storage__InputContainers: inputContainerName
    // The watchdog's timer trigger reads its schedule from this setting (%FanOut:Watchdog:Schedule%): the host needs it set.
    FanOut__Watchdog__Schedule: '0 */1 * * * *'
    // The platform's invocation budget, from the same parameters as scaleAndConcurrency above, so that a job's tree
    // and its waiting callers are sized to the slots Flex really gives.
    FanOut__Platform__PerInstanceConcurrency: string(perInstanceConcurrency)
    FanOut__Platform__MaximumInstanceCount: string(maximumInstanceCount)
  }
  dependsOn: [appBlobOwner, appSecretsUser, appMetricsPublisher, deploymentContainer]
}

output functionAppName string = app.name
output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output keyVaultName string = vault.name
output url string = 'https://${app.properties.defaultHostName}'
output inputContainer string = inputContainerName
