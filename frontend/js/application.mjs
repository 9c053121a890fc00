// Progressive enhancement only: every page works without JavaScript.
// Relative to /static/js/, this is /static/govuk/govuk-frontend.min.js.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
