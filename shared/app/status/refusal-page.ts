import type { Access } from './access';
import { htmlPage, p, type HtmlPage } from './html';

/**
 * What someone who may not open the page gets: the status and how to sign in, nothing about the organisation. The
 * page has no navigation, so it names no other address of the app either.
 */
export function refusalPage(refusal: Extract<Access, { kind: 'refused' }>): HtmlPage {
  switch (refusal.why) {
    case 'sign-in':
      return htmlPage(
        401,
        'Sign-in required',
        p('This page is for the sync administrators. Sign in with your work account.') +
          '<p><a href="/.auth/login/aad?post_login_redirect_uri=/api/status">Sign in</a></p>',
        false,
      );
    case 'role':
      return htmlPage(
        403,
        'Not allowed',
        p(
          'Your account is signed in but does not hold the app role this page needs. Ask the tenant admin to ' +
            'assign it to you (Enterprise applications › the sync app › Users and groups).',
        ),
        false,
      );
    case 'auth-off':
      return htmlPage(
        401,
        'Sign-in is not set up',
        p(
          'Nobody can open this page until App Service Authentication (Microsoft Entra sign-in) is turned on for ' +
            'the function app; the deployment template does that.',
        ),
        false,
      );
    case 'key':
      return htmlPage(
        401,
        'Key required',
        p('Open this page with the status page key: /api/status?key=… (the STATUS_PAGE_KEY setting).'),
        false,
      );
  }
}
