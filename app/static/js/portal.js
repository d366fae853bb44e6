// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// The header's menu folds behind a "Menu" button at phone width (the CSS decides when); without
// this script the menu simply stays open.
(() => {
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".menu-toggle");
  if (!header || !toggle) {
    return;
  }
  const setOpen = (open) => {
    header.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  header.classList.add("menu-collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", () => setOpen(!header.classList.contains("menu-open")));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
})();
