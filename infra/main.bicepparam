// Parameters for `azd up` only; `az deployment group create` keeps using main.parameters.json. azd prefers this
// file when both exist, and fills readEnvironmentVariable from the azd environment (`azd env set NAME value`).
using './main.bicep'

// The values of main.parameters.json, so both paths deploy the same app.
param appName = readEnvironmentVariable('APP_NAME', 'dtsync')
param nodeVersion = '22'
param conflictPolicy = 'newest-wins'
param dryRun = true

// What only the deployer knows: scripts/azd/preprovision.sh stops with the commands to set them when one is missing.
param dingtalkAppKey = readEnvironmentVariable('DINGTALK_APP_KEY')
param dingtalkCorpId = readEnvironmentVariable('DINGTALK_CORP_ID')

// The Entra app registration: empty GRAPH_CLIENT_ID makes the template create it (docs/deploy.md says which
// directory role that needs); set it to use an existing app. Empty values keep what the deployment has.
param graphTenantId = readEnvironmentVariable('GRAPH_TENANT_ID', '')
param graphClientId = readEnvironmentVariable('GRAPH_CLIENT_ID', '')
param graphCredential = readEnvironmentVariable('GRAPH_CREDENTIAL', '')
param syncKinds = readEnvironmentVariable('SYNC_KINDS', '')
param grantGraphPermissions = bool(readEnvironmentVariable('GRANT_GRAPH_PERMISSIONS', 'false'))

// azd signs in as this principal and its postprovision hook writes the callback secrets with it.
param deployerPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param deployerPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')

param keyVaultNameSuffix = readEnvironmentVariable('KEY_VAULT_NAME_SUFFIX', '')
