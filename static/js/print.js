// The statement's "print / save as PDF" button (inline handlers are refused by the CSP).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
