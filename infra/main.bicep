// dingtalk-m365-sync: everything the function app needs, in one resource group.
// Check: az bicep build -f infra/main.bicep && az deployment group what-if -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// The parameters file leaves out the identifiers only the deployer knows; az asks for each (or pass -p name=value).

targetScope = 'resourceGroup'

@description('Short name used to derive resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(12)
param appName string = 'dtsync'

@description('Azure region; defaults to the resource group\'s. It must offer Flex Consumption: az functionapp list-flexconsumption-locations -o table')
param location string = resourceGroup().location

@description('Node.js major version of the Functions runtime.')
@allowed([
  '22'
])
param nodeVersion string = '22'

@description('Instance memory of the Flex Consumption plan, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Entra tenant id (GUID) that grants admin consent to the app registration: az account show --query tenantId -o tsv')
@minLength(36)
@maxLength(36)
param graphTenantId string

@description('Application (client) id (GUID) of the Entra app registration, on its Overview page.')
@minLength(36)
@maxLength(36)
param graphClientId string

@description('Client ID (AppKey) of the DingTalk internal app, on its Credentials page in the DingTalk developer console.')
@minLength(10)
param dingtalkAppKey string

@description('DingTalk organisation id (CorpId, starts with "ding"), shown in the DingTalk developer console.')
@minLength(10)
param dingtalkCorpId string

@description('Object id of whoever stores the secrets after the deployment (README, Deploy, step 3), given Key Vault Secrets Officer on the vault: az ad signed-in-user show --query id -o tsv. Empty assigns no one.')
param deployerPrincipalId string

@description('What deployerPrincipalId is: a person (User), a pipeline\'s identity (ServicePrincipal) or a Group.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

@description('Leave empty. Set any new value (e.g. 2) only when the vault name is still held by a deleted vault: purge protection keeps it for 90 days (README, "Deploy").')
@maxLength(8)
param keyVaultNameSuffix string = ''

@description('Instances of the HTTP functions kept running, so the DingTalk callback answers within DingTalk\'s 1.5 s even after a quiet spell. Billed around the clock (README); 0 turns it off.')
@minValue(0)
@maxValue(4)
param httpAlwaysReadyInstances int = 1

@description('Who wins when both sides changed an item.')
@allowed([
  'newest-wins'
  'prefer-dingtalk'
  'prefer-outlook'
])
param conflictPolicy string = 'newest-wins'

@description('Start in dry-run mode: report what would be written, write nothing.')
param dryRun bool = true

var suffix = uniqueString(resourceGroup().id, appName)
var storageName = toLower(take('st${appName}${suffix}', 24))
var functionAppName = 'func-${appName}-${suffix}'
// Key Vault names are global and a deleted vault keeps its name until purged, which purge protection forbids for
// the retention period: a resource group deleted and created again would collide with its own old vault.
// https://learn.microsoft.com/azure/key-vault/general/key-vault-recovery
var vaultSuffix = empty(keyVaultNameSuffix) ? suffix : uniqueString(resourceGroup().id, appName, keyVaultNameSuffix)
var keyVaultName = take('kv-${appName}-${vaultSuffix}', 24)
var deploymentContainer = 'app-package'
var tags = {
  'azd-env-name': appName
  product: 'dingtalk-m365-sync'
}

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // The app only reads secrets (Key Vault references, mail app passwords); the admin's command writes them with the
  // admin's own sign-in. https://learn.microsoft.com/azure/key-vault/general/rbac-guide
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}-${suffix}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var kvRef = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets'

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, {
    'azd-service-name': 'sync'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        { name: 'SYNC_MODE', value: 'live' }
        { name: 'PUBLIC_BASE_URL', value: 'https://${functionAppName}.azurewebsites.net' }
        { name: 'KEY_VAULT_URL', value: 'https://${keyVaultName}${environment().suffixes.keyvaultDns}' }
        { name: 'GRAPH_TENANT_ID', value: graphTenantId }
        { name: 'GRAPH_CLIENT_ID', value: graphClientId }
        { name: 'GRAPH_CLIENT_SECRET', value: '@Microsoft.KeyVault(SecretUri=${kvRef}/graph-client-secret/)' }
        { name: 'DINGTALK_APP_KEY', value: dingtalkAppKey }
        { name: 'DINGTALK_CORP_ID', value: dingtalkCorpId }
        { name: 'DINGTALK_APP_SECRET', value: '@Microsoft.KeyVault(SecretUri=${kvRef}/dingtalk-app-secret/)' }
        { name: 'DINGTALK_CALLBACK_TOKEN', value: '@Microsoft.KeyVault(SecretUri=${kvRef}/dingtalk-callback-token/)' }
        { name: 'DINGTALK_CALLBACK_AES_KEY', value: '@Microsoft.KeyVault(SecretUri=${kvRef}/dingtalk-callback-aes-key/)' }
        { name: 'CONFLICT_POLICY', value: conflictPolicy }
        { name: 'TIMER_SCHEDULE', value: '0 */1 * * * *' }
        { name: 'DRY_RUN', value: dryRun ? 'true' : 'false' }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        // DingTalk refuses a callback URL that does not answer check_url within 1.5 s
        // (https://developer.aliyun.com/ask/662484), and a cold start can take longer; a warm instance of the "http"
        // group answers at once. https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan
        alwaysReady: [
          {
            name: 'http'
            instanceCount: httpAlwaysReadyInstances
          }
        ]
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
  dependsOn: [
    packageContainer
  ]
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The vault uses RBAC only, so not even its creator may write a secret without a data role.
resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  scope: vault
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
@description('Admin consent page; it asks for a function key: append ?code=<key of the "consent" function>.')
output consentUrl string = 'https://${functionApp.properties.defaultHostName}/api/consent'
@description('Status of the deployment (mode, dry run, version, storage) until a status page exists; it asks for a function key (?code=).')
output statusPageUrl string = 'https://${functionApp.properties.defaultHostName}/api/health/details'
@description('HTTP event push URL to save in the DingTalk developer console, with the token and aes_key from the vault.')
output dingtalkCallbackUrl string = 'https://${functionApp.properties.defaultHostName}/api/dingtalk/events'
output keyVaultName string = vault.name
output storageAccountName string = storage.name
output managedIdentityClientId string = identity.properties.clientId
