// Replaces the GOV.UK page template's inline script, which the
// Content-Security-Policy (script-src 'self') does not allow. Loaded as the
// first element of <body> so styles for js-enabled apply before first paint.
document.body.className +=
  ' js-enabled' +
  ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
