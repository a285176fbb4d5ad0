'use strict';

// Trades the API token for the session cookie; the page never keeps the token itself.
document.getElementById('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('error');
  error.hidden = true;
  const token = document.getElementById('token').value;
  try {
    const response = await fetch('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (response.status === 204) {
      window.location.assign('/');
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = body.message || `sign-in failed (${response.status})`;
  } catch (failure) {
    error.textContent = `cannot reach Weir: ${failure.message}`;
  }
  error.hidden = false;
});
