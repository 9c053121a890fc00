// Progressive enhancement of the employer <select multiple>: a text box
// that suggests employers as you type (the ARIA combobox pattern, with a
// listbox of matches and a live region saying how many), and the chosen
// employers as a list with a Remove button each. The select stays in the
// form, hidden, and holds the choice, so the server reads the same field
// with or without JavaScript.
const MAX_SUGGESTIONS = 10

for (const select of document.querySelectorAll('select[data-employer-chooser][multiple]')) {
  const group = select.closest('.govuk-form-group')
  const label = group && group.querySelector(`label[for="${select.id}"]`)
  if (!label) continue
  const options = [...select.options]

  const input = document.createElement('input')
  input.type = 'text'
  input.id = `${select.id}-search`
  input.className = 'govuk-input app-chooser__input'
  input.autocomplete = 'off'
  input.spellcheck = false
  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-expanded', 'false')
  const describedBy = select.getAttribute('aria-describedby')
  const listbox = document.createElement('ul')
  listbox.id = `${select.id}-suggestions`
  listbox.className = 'app-chooser__suggestions'
  listbox.setAttribute('role', 'listbox')
  listbox.setAttribute('aria-label', 'Matching employers')
  listbox.hidden = true
  input.setAttribute('aria-controls', listbox.id)

  const hint = document.createElement('div')
  hint.id = `${select.id}-search-hint`
  hint.className = 'govuk-hint'
  hint.textContent = 'Start typing an employer’s name, then choose it from the list. You can choose several.'
  input.setAttribute('aria-describedby', [hint.id, describedBy].filter(Boolean).join(' '))

  const status = document.createElement('div')
  status.className = 'govuk-visually-hidden'
  status.setAttribute('role', 'status')

  const chosenHeading = document.createElement('p')
  chosenHeading.className = 'govuk-body govuk-!-margin-bottom-1 govuk-!-margin-top-3'
  chosenHeading.id = `${select.id}-chosen-heading`
  const chosenList = document.createElement('ul')
  chosenList.className = 'govuk-list app-chooser__chosen'
  chosenList.setAttribute('aria-labelledby', chosenHeading.id)

  const wrapper = document.createElement('div')
  wrapper.className = 'app-chooser'
  wrapper.append(input, listbox)
  label.htmlFor = input.id
  // The original hint speaks of Ctrl-clicking the select: it no longer applies.
  for (const id of (describedBy || '').split(' ')) {
    const old = id && document.getElementById(id)
    if (old && old.classList.contains('govuk-hint')) old.hidden = true
  }
  select.hidden = true
  select.after(hint, wrapper, status, chosenHeading, chosenList)

  let matches = []
  let active = -1

  const close = () => {
    listbox.hidden = true
    listbox.replaceChildren()
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    matches = []
    active = -1
  }

  const renderChosen = () => {
    const chosen = options.filter((option) => option.selected)
    chosenHeading.textContent = chosen.length
      ? `Employers chosen (${chosen.length}):`
      : 'No employers chosen.'
    chosenList.replaceChildren(
      ...chosen.map((option) => {
        const item = document.createElement('li')
        item.className = 'app-chooser__chosen-item'
        const name = document.createElement('span')
        name.textContent = option.text
        const remove = document.createElement('button')
        remove.type = 'button'
        remove.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2 app-chooser__remove'
        remove.textContent = 'Remove'
        const hidden = document.createElement('span')
        hidden.className = 'govuk-visually-hidden'
        hidden.textContent = ` ${option.text}`
        remove.append(hidden)
        remove.addEventListener('click', () => {
          option.selected = false
          status.textContent = `${option.text} removed`
          renderChosen()
          input.focus()
        })
        item.append(name, remove)
        return item
      })
    )
  }

  const choose = (option) => {
    option.selected = true
    status.textContent = `${option.text} chosen`
    input.value = ''
    close()
    renderChosen()
  }

  const highlight = (index) => {
    const items = [...listbox.children]
    items.forEach((item, i) => item.setAttribute('aria-selected', String(i === index)))
    active = index
    if (index >= 0 && items[index]) {
      input.setAttribute('aria-activedescendant', items[index].id)
      items[index].scrollIntoView({ block: 'nearest' })
    } else {
      input.removeAttribute('aria-activedescendant')
    }
  }

  const suggest = () => {
    const typed = input.value.trim().toLowerCase()
    if (!typed) {
      close()
      return
    }
    matches = options
      .filter((option) => !option.selected && option.text.toLowerCase().includes(typed))
      .slice(0, MAX_SUGGESTIONS)
    listbox.replaceChildren(
      ...matches.map((option, index) => {
        const item = document.createElement('li')
        item.id = `${select.id}-option-${index}`
        item.className = 'app-chooser__option'
        item.setAttribute('role', 'option')
        item.setAttribute('aria-selected', 'false')
        item.textContent = option.text
        item.addEventListener('mousedown', (event) => event.preventDefault())
        item.addEventListener('click', () => choose(option))
        return item
      })
    )
    listbox.hidden = matches.length === 0
    input.setAttribute('aria-expanded', String(matches.length > 0))
    active = -1
    input.removeAttribute('aria-activedescendant')
    status.textContent = matches.length
      ? `${matches.length} employer${matches.length === 1 ? '' : 's'} match. Use the down arrow to choose.`
      : 'No employers match'
  }

  input.addEventListener('input', suggest)
  input.addEventListener('blur', close)
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && matches.length) {
      event.preventDefault()
      highlight(Math.min(active + 1, matches.length - 1))
    } else if (event.key === 'ArrowUp' && matches.length) {
      event.preventDefault()
      highlight(Math.max(active - 1, 0))
    } else if (event.key === 'Enter' && active >= 0 && matches[active]) {
      event.preventDefault()
      choose(matches[active])
    } else if (event.key === 'Escape') {
      close()
    }
  })
  renderChosen()
}
