// Writes the function app's settings without undoing the admin's: a redeployment keeps every setting the template
// does not own (DRY_RUN, policies, tuning), so it never turns a live deployment back into a dry run. main.bicep
// reads the current settings and passes them here: a resource cannot read its own list() in the same deployment.
// An app settings PUT replaces the whole set, hence the merge
// (learn.microsoft.com/azure/templates/microsoft.web/sites/config-appsettings).

@description('Name of the function app.')
param functionAppName string

@description('The settings the app has now; empty on a first deployment. Secure: an admin may keep a value here that must not reach the deployment history.')
@secure()
param current object

@description('Written only when the app lacks them: the first deployment\'s values, afterwards the admin\'s.')
param initial object

@description('Written on every deployment: what the template owns (resources, identity, the credential mode, the kinds).')
param owned object

@description('Names removed: settings the template once owned that no longer apply (e.g. the client secret after a switch to the managed identity).')
param retired array

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var kept = toObject(filter(items(current), setting => !contains(retired, setting.key)), setting => setting.key, setting => setting.value)

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  // Later arguments win: the admin's values over the first deployment's, the template's own over both.
  properties: union(initial, kept, owned)
}
