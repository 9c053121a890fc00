// Progressive enhancement: a "Select all" checkbox above each pupil list
// marked data-select-all. Without JavaScript, choose a year group and tick
// "Everyone in Year N" instead.
for (const container of document.querySelectorAll('[data-select-all]')) {
  const boxes = [...container.querySelectorAll('input[type="checkbox"]')]
  const fieldset = container.querySelector('.govuk-checkboxes')
  if (boxes.length < 2 || !fieldset) continue

  const item = document.createElement('div')
  item.className = 'govuk-checkboxes__item govuk-!-margin-bottom-4'
  const toggle = document.createElement('input')
  toggle.className = 'govuk-checkboxes__input'
  toggle.type = 'checkbox'
  toggle.id = 'select-all-pupils'
  const label = document.createElement('label')
  label.className = 'govuk-label govuk-checkboxes__label govuk-!-font-weight-bold'
  label.htmlFor = toggle.id
  label.textContent = container.dataset.selectAllLabel || 'Select all'
  item.append(toggle, label)
  fieldset.prepend(item)

  const sync = () => {
    const ticked = boxes.filter((box) => box.checked).length
    toggle.checked = ticked === boxes.length
    toggle.indeterminate = ticked > 0 && ticked < boxes.length
  }
  toggle.addEventListener('change', () => {
    for (const box of boxes) box.checked = toggle.checked
    sync()
  })
  for (const box of boxes) box.addEventListener('change', sync)
  sync()
}
