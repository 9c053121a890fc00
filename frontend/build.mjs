// Builds static_build/ (Django's STATICFILES_DIRS) from GOV.UK Frontend and
// frontend/: compiled Sass, GOV.UK assets and JavaScript. Run: npm run build
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import * as sass from 'sass'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const govukDist = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const out = join(root, 'static_build')

await rm(out, { recursive: true, force: true })
await mkdir(join(out, 'css'), { recursive: true })
await mkdir(join(out, 'js'), { recursive: true })

const { css } = await sass.compileAsync(
  join(root, 'frontend', 'scss', 'application.scss'),
  {
    loadPaths: [join(root, 'node_modules')],
    style: 'compressed',
    sourceMap: false,
    // Deprecation warnings from inside govuk-frontend are not ours to fix.
    quietDeps: true
  }
)
await writeFile(join(out, 'css', 'application.css'), css)

await cp(join(govukDist, 'assets'), join(out, 'govuk', 'assets'), {
  recursive: true
})
for (const file of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
  await cp(join(govukDist, file), join(out, 'govuk', file))
}
await cp(join(root, 'frontend', 'js'), join(out, 'js'), { recursive: true })

console.log(`Built ${out}`)
