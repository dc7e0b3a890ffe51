// dingtalk-m365-sync: everything the function app needs, in one resource group, and (unless an existing app is
// given) the Entra app registration it signs in as.
// Check: az bicep build -f infra/main.bicep && az deployment group what-if -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// The parameters file leaves out the identifiers only the deployer knows; az asks for each (or pass -p name=value).
// docs/deploy.md: what each parameter does, which directory role each path needs, and what a redeployment keeps.

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

@description('Entra tenant of the app registration (GUID); empty: the tenant of this deployment, the only choice when the template creates the app.')
@maxLength(36)
param graphTenantId string = ''

@description('Application (client) id (GUID) of an existing app registration to use; empty: the template creates one with the Microsoft Graph Bicep extension (public cloud only; docs/deploy.md says which directory role that needs).')
@maxLength(36)
param graphClientId string = ''

@description('Unique name of the app registration the template creates; empty: dingtalk-m365-sync-<suffix of this resource group>. Never change it after the first deployment: a new name makes a new app.')
@maxLength(120)
param appRegistrationName string = ''

@description('Grant the Graph application permissions while creating the app (needs Privileged Role Administrator or Global Administrator); false leaves it to an admin, through the consent link.')
param grantGraphPermissions bool = false

@description('Object ids of the users given the Sync.Admin role of the created app (the status page). Assign others later in Entra (docs/deploy.md).')
param statusPageAdminIds array = []

@description('How the app signs in to Entra (GRAPH_CREDENTIAL): managed-identity (no secret), certificate or secret; empty keeps what the deployment uses, managed-identity for a new one.')
@allowed([
  ''
  'managed-identity'
  'certificate'
  'secret'
])
param graphCredential string = ''

@description('Key Vault certificate (content type PEM) for graphCredential certificate (GRAPH_CERTIFICATE_NAME); empty keeps the current one.')
param graphCertificateName string = ''

@description('What is synced (SYNC_KINDS), comma-separated: calendar, mail, todo, contact. The created app registration declares the Graph permissions they need. Empty keeps what the deployment syncs, calendar,mail for a new one.')
param syncKinds string = ''

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

@description('CONFLICT_POLICY of a new deployment; a redeployment keeps the app\'s current value (change it in the app settings).')
@allowed([
  'newest-wins'
  'prefer-dingtalk'
  'prefer-outlook'
])
param conflictPolicy string = 'newest-wins'

@description('DRY_RUN of a new deployment: report what would be written, write nothing. A redeployment keeps the app\'s current DRY_RUN, so it never turns a live deployment back into a dry run.')
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

// No appSettings here: a site PUT with siteConfig.appSettings replaces every setting, the admin's too. The
// settings module below merges them instead.
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

var publicBaseUrl = 'https://${functionApp.properties.defaultHostName}'
var tenantId = empty(graphTenantId) ? tenant().tenantId : graphTenantId
var createApp = empty(graphClientId)

// What the app has now: empty on a first deployment; after that the admin's values, which a redeployment keeps.
var currentSettings = list('${functionApp.id}/config/appsettings', '2024-04-01').properties
var firstDeployment = !contains(currentSettings, 'SYNC_MODE')
var kinds = empty(syncKinds) ? (currentSettings.?SYNC_KINDS ?? 'calendar,mail') : syncKinds
// Deployments made before GRAPH_CREDENTIAL existed signed in with the client secret: they keep doing so.
var currentCredential = currentSettings.?GRAPH_CREDENTIAL ?? (contains(currentSettings, 'GRAPH_CLIENT_SECRET') ? 'secret' : 'managed-identity')
var credential = empty(graphCredential) ? currentCredential : graphCredential

module entraApp 'entra-app.bicep' = if (createApp) {
  name: 'entra-app'
  params: {
    uniqueName: empty(appRegistrationName) ? 'dingtalk-m365-sync-${suffix}' : appRegistrationName
    displayName: 'DingTalk M365 sync (${appName})'
    kinds: map(split(kinds, ','), kind => trim(toLower(kind)))
    publicBaseUrl: publicBaseUrl
    // The managed identity's tokens come from this deployment's tenant.
    issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
    managedIdentityPrincipalId: identity.properties.principalId
    grantGraphPermissions: grantGraphPermissions
    ownerIds: !empty(deployerPrincipalId) && deployerPrincipalType != 'Group' ? [deployerPrincipalId] : []
    statusPageAdminIds: statusPageAdminIds
  }
}

var clientId = createApp ? entraApp.outputs.appId : graphClientId

// Settings the template owns, written on every deployment. Names match shared/platform/config.ts (test/infra).
var ownedSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AZURE_CLIENT_ID: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  SYNC_MODE: 'live'
  SYNC_KINDS: kinds
  PUBLIC_BASE_URL: publicBaseUrl
  KEY_VAULT_URL: 'https://${keyVaultName}${environment().suffixes.keyvaultDns}'
  GRAPH_TENANT_ID: tenantId
  GRAPH_CLIENT_ID: clientId
  GRAPH_CREDENTIAL: credential
  DINGTALK_APP_KEY: dingtalkAppKey
  DINGTALK_CORP_ID: dingtalkCorpId
  DINGTALK_APP_SECRET: '@Microsoft.KeyVault(SecretUri=${kvRef}/dingtalk-app-secret/)'
  DINGTALK_CALLBACK_TOKEN: '@Microsoft.KeyVault(SecretUri=${kvRef}/dingtalk-callback-token/)'
  DINGTALK_CALLBACK_AES_KEY: '@Microsoft.KeyVault(SecretUri=${kvRef}/dingtalk-callback-aes-key/)'
  // App Service Authentication signs admins in with the same identity as its credential, no client secret
  // (learn.microsoft.com/azure/app-service/configure-authentication-provider-aad, "Use a managed identity instead
  // of a secret"), and accepts tokens of this tenant only.
  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identity.properties.clientId
  WEBSITE_AUTH_AAD_ALLOWED_TENANTS: tenantId
  // glibc: every allocation over 128 KiB its own mapping, returned when freed, so the memory of a large mail's
  // Buffers goes back to the system (scripts/worker-process-env.js, mallopt(3) M_MMAP_THRESHOLD).
  MALLOC_MMAP_THRESHOLD_: '131072'
  // V8: an explicit heap limit makes it collect garbage sooner; without one it sizes the heap from the instance's
  // memory and the worker's RSS runs 100 MB higher (scripts/worker-process-env.js, docs/benchmarks.md).
  languageWorkers__node__arguments: '--max-old-space-size=512'
}

// The credential's own setting; an admin's value (another secret reference, a renewed certificate) is kept.
var secretSetting = {
  GRAPH_CLIENT_SECRET: currentSettings.?GRAPH_CLIENT_SECRET ?? '@Microsoft.KeyVault(SecretUri=${kvRef}/graph-client-secret/)'
}
var certificateSetting = {
  GRAPH_CERTIFICATE_NAME: empty(graphCertificateName) ? (currentSettings.?GRAPH_CERTIFICATE_NAME ?? '') : graphCertificateName
}
var credentialSettings = credential == 'secret' ? secretSetting : (credential == 'certificate' ? certificateSetting : {})

// Written only by the first deployment; after that they are the admin's, and a redeployment leaves them alone.
var initialSettings = {
  DRY_RUN: dryRun ? 'true' : 'false'
  CONFLICT_POLICY: conflictPolicy
  TIMER_SCHEDULE: '0 */1 * * * *'
}

module settings 'app-settings.bicep' = {
  name: 'app-settings'
  params: {
    functionAppName: functionApp.name
    current: currentSettings
    initial: firstDeployment ? initialSettings : {}
    owned: union(ownedSettings, credentialSettings)
    // A credential setting another credential left behind: an unresolved secret reference would stop the app.
    retired: filter(['GRAPH_CLIENT_SECRET', 'GRAPH_CERTIFICATE_NAME'], name => !contains(credentialSettings, name))
  }
}

// App Service Authentication (Easy Auth) signs admins in for the status page. Unauthenticated requests still
// reach the app: the webhooks, the health probe and the consent callback are anonymous, and the status page checks
// the signed-in principal and its Sync.Admin role itself (X-MS-CLIENT-PRINCIPAL, which only App Service sets:
// learn.microsoft.com/azure/app-service/configure-authentication-user-identities). No token store: Flex
// Consumption has no local file system for it, and the page needs only the principal.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
  dependsOn: [
    settings
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
@description('The admins\' status page: Entra sign-in, then the Sync.Admin app role of the app registration (docs/status-page.md).')
output statusPageUrl string = 'https://${functionApp.properties.defaultHostName}/api/status'
@description('HTTP event push URL to save in the DingTalk developer console, with the token and aes_key from the vault.')
output dingtalkCallbackUrl string = 'https://${functionApp.properties.defaultHostName}/api/dingtalk/events'
output keyVaultName string = vault.name
output storageAccountName string = storage.name
output managedIdentityClientId string = identity.properties.clientId
@description('Application (client) id of the app registration the sync signs in as.')
output graphClientId string = clientId
@description('Whether this deployment created (or updated) the app registration; false when an existing one is used.')
output appRegistrationCreated bool = createApp
@description('How the app signs in to Entra (GRAPH_CREDENTIAL); only secret needs graph-client-secret in the vault.')
output graphCredential string = credential
