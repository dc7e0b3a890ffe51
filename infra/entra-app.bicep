// The Entra app registration the sync signs in as, its service principal, and the federated credential that lets
// the function app's managed identity stand in for a secret. Deployed by main.bicep only when no existing app is
// given (graphClientId empty). Uses the Microsoft Graph Bicep extension (infra/bicepconfig.json): public cloud
// only. The deploying account needs a directory role that may register apps, and Privileged Role Administrator
// for grantGraphPermissions (docs/deploy.md, "Directory roles").
extension microsoftGraphV1

@description('Immutable unique name of the app registration (its alternate key); a redeployment finds it by this.')
param uniqueName string

@description('Display name shown in the Entra admin center and on the consent screen.')
param displayName string

@description('Kinds of data the sync runs (SYNC_KINDS): the app declares exactly the Graph permissions they need.')
param kinds array

@description('https base URL of the function app: the consent callback and the App Service sign-in callback live under it.')
param publicBaseUrl string

@description('Issuer of the managed identity tokens: <login endpoint><tenant id>/v2.0.')
param issuer string

@description('Object (principal) id of the user-assigned managed identity that the federated credential trusts.')
param managedIdentityPrincipalId string

@description('Grant the Graph application permissions too (Privileged Role Administrator); otherwise an admin consents through the consent page.')
param grantGraphPermissions bool

@description('Object ids made owners of the app registration and its service principal, so they can manage it and assign the Sync.Admin role.')
param ownerIds array

@description('Object ids of the users given the Sync.Admin app role (the status page).')
param statusPageAdminIds array

// Microsoft Graph's well-known application id.
var graphAppId = '00000003-0000-0000-c000-000000000000'

// Ids of the Graph application permissions (app roles) the sync can need, from Microsoft's permissions reference
// (learn.microsoft.com/graph/permissions-reference); docs/graph.md lists the same, and test/infra checks both
// against the permissions the code asks for (shared/app/consent/consent-link.ts).
var graphPermissionIds = {
  'Calendars.ReadWrite': 'ef54d2bf-783f-4e0f-bca1-3210c0444d99'
  'Contacts.ReadWrite': '6918b873-d17a-4dc1-b314-35f528134491'
  'Mail.ReadWrite': 'e2a3a72e-5f79-4c64-b1b1-878b674786c9'
  'Tasks.ReadWrite.All': '44e666d1-d276-445b-a5fc-8815eeb81d55'
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214'
}

// What each SYNC_KINDS kind needs; pairing people by address always needs User.Read.All.
var permissionsByKind = {
  calendar: 'Calendars.ReadWrite'
  mail: 'Mail.ReadWrite'
  todo: 'Tasks.ReadWrite.All'
  contact: 'Contacts.ReadWrite'
}
var alwaysNeeded = 'User.Read.All'

// An unknown kind asks for nothing here: the app itself refuses it at start, naming SYNC_KINDS.
var permissions = union([alwaysNeeded], filter(map(kinds, kind => permissionsByKind[?kind] ?? ''), name => !empty(name)))

// The app role the status page requires; its id must never change once users are assigned to it.
var syncAdminRoleId = 'a4346c5f-1be1-4a3b-b205-6576cb05748b'

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  owners: {
    relationships: ownerIds
  }
  web: {
    // The admin-consent redirect (shared/app/consent/consent-link.ts, CONSENT_CALLBACK_PATH) and App Service
    // Authentication's own callback (learn.microsoft.com/azure/app-service/configure-authentication-provider-aad).
    redirectUris: [
      '${publicBaseUrl}/api/consent/callback'
      '${publicBaseUrl}/.auth/login/aad/callback'
    ]
    implicitGrantSettings: {
      enableIdTokenIssuance: false
      enableAccessTokenIssuance: false
    }
  }
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: [for name in permissions: {
        id: graphPermissionIds[name]
        type: 'Role'
      }]
    }
  ]
  appRoles: [
    {
      id: syncAdminRoleId
      value: 'Sync.Admin'
      displayName: 'Sync administrator'
      description: 'May open the status page of the DingTalk and Microsoft 365 sync and act on what it shows.'
      allowedMemberTypes: [
        'User'
      ]
      isEnabled: true
    }
  ]

  // No secret anywhere: the function app's user-assigned identity is the app's credential
  // (learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity). The
  // name carries the app's unique name, as in Microsoft's quickstart templates.
  resource functionAppIdentity 'federatedIdentityCredentials@v1.0' = {
    name: '${uniqueName}/function-app-identity'
    description: 'The sync function app\'s user-assigned managed identity'
    issuer: issuer
    subject: managedIdentityPrincipalId
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
  owners: {
    relationships: ownerIds
  }
}

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = if (grantGraphPermissions) {
  appId: graphAppId
}

// Granting Microsoft Graph application permissions needs Privileged Role Administrator (or Global Administrator).
resource graphPermissionGrants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for name in permissions: if (grantGraphPermissions) {
  appRoleId: graphPermissionIds[name]
  principalId: servicePrincipal.id
  resourceId: graph.id
}]

resource statusPageAdmins 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for userId in statusPageAdminIds: {
  appRoleId: syncAdminRoleId
  principalId: userId
  resourceId: servicePrincipal.id
}]

output appId string = app.appId
output servicePrincipalId string = servicePrincipal.id
output permissions array = permissions
