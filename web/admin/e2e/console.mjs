// End-to-end run of the admin console in a real Chromium, against a server
// that serves /admin/ (or `npx vite` with its proxy). Plain Node ESM with
// playwright-core; a Rust test starts it with the environment below and reads
// the exit code and the last line.
//
//   BASE_URL        where /admin/, /trpc and /api/auth are (http://127.0.0.1:PORT)
//   ADMIN_EMAIL     an admin's email and password
//   ADMIN_PASSWORD
//   USER_EMAIL      a plain user's email and password
//   USER_PASSWORD
//   LEVEL_ID        an existing level, renamed here
//   FILE_ID         a READY image file of that user, deleted here
//   FILE_NAME       its original name
//   CHROMIUM        the browser binary (/usr/bin/chromium)
//   SCREENSHOT_DIR  where the PNGs go (none taken if unset)

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};

const BASE_URL = env('BASE_URL').replace(/\/+$/, '');
const ADMIN_EMAIL = env('ADMIN_EMAIL');
const ADMIN_PASSWORD = env('ADMIN_PASSWORD');
const USER_EMAIL = env('USER_EMAIL');
const USER_PASSWORD = env('USER_PASSWORD');
const LEVEL_ID = env('LEVEL_ID');
const FILE_ID = env('FILE_ID');
const FILE_NAME = env('FILE_NAME');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || '';
const TIMEOUT = 15_000;
const EDITED_NAME = 'Edited by console';

if (SCREENSHOT_DIR) mkdirSync(SCREENSHOT_DIR, { recursive: true });

let stepNumber = 0;
let stepName = '(start)';
// Every uncaught page error, CSP violation and console error fails the run,
// in the step it happened in; `allowed` are the ones a step provokes on purpose.
const consoleErrors = [];
const allowed = [];

async function step(name, run) {
  stepNumber += 1;
  stepName = name;
  console.log(`step ${stepNumber}: ${name}`);
  await run();
  check(consoleErrors.length === 0, `errors in the browser:\n${consoleErrors.join('\n')}`);
}

/** The error messages the page shows, to say why an expectation failed. */
async function shownErrors(locator) {
  const texts = await locator.page().getByRole('alert').allTextContents().catch(() => []);
  return texts.length ? ` (the page shows: ${texts.map((t) => JSON.stringify(t)).join(', ')})` : '';
}

/** Waits for a locator to be visible, or fails saying what was expected. */
async function see(locator, what) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch {
    throw new Error(`expected to see ${what}${await shownErrors(locator)}`);
  }
}

async function gone(locator, what) {
  try {
    await locator.first().waitFor({ state: 'detached', timeout: TIMEOUT });
  } catch {
    throw new Error(`expected ${what} to be gone${await shownErrors(locator)}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(page, name) {
  if (!SCREENSHOT_DIR) return;
  // Let images and fonts settle so the picture shows the page as a person sees it.
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const heading = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });

async function newPage(context, label) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (error) => consoleErrors.push(`${label}: page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // Chromium reports CSP violations as console errors starting "Refused to".
    const csp = text.includes('Content Security Policy') || text.includes('Refused to');
    if (message.type() !== 'error' && !csp) return;
    const { url } = message.location();
    if (!csp && allowed.some((expected) => expected(text, url))) return;
    consoleErrors.push(`${label}: ${csp ? 'CSP violation' : 'console error'}: ${text}${url ? ` (${url})` : ''}`);
  });
  return page;
}

async function signIn(page, email, password) {
  await page.goto(`${BASE_URL}/admin/`);
  await see(heading(page, 'Sign in'), 'the sign-in page');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Answers the in-page confirmation dialog. */
async function confirmDialog(page, title) {
  const dialog = page.getByRole('dialog', { name: title });
  await see(dialog, `the confirmation dialog "${title}"`);
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await gone(dialog, `the dialog "${title}"`);
}

/** Waits until the focus is on the page's heading, where navigation moves it. */
async function focusOnHeading(page, name) {
  try {
    await page.waitForFunction((text) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === text, name, {
      timeout: TIMEOUT,
    });
  } catch {
    const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
    throw new Error(`expected the focus on the heading "${name}", it is on ${focused}`);
  }
}

async function openSection(page, name) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await see(heading(page, name), `the ${name} page`);
  await focusOnHeading(page, name);
}

/** At a phone's width: nothing wider than the screen, the navigation and the page's heading in view. */
async function fitsPhone(page, what, title) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375 + 1, `${what} is ${width}px wide in a 375px viewport`);
  check(await page.getByRole('navigation', { name: 'Main' }).isVisible(), `the navigation is not visible on ${what} at 375px`);
  check(await heading(page, title).isVisible(), `the heading "${title}" is not visible on ${what} at 375px`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

try {
  // The user's own browser, kept open to see the ban end its session.
  const userContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const userPage = await newPage(userContext, 'user');
  const adminRequests = [];
  userPage.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if ((pathname.startsWith('/trpc/') && pathname.includes('main.admin')) || pathname.startsWith('/api/auth/admin/')) {
      adminRequests.push(`${request.method()} ${request.url()}`);
    }
  });

  await step('a signed-in non-admin sees only "Admins only" and fetches no admin data', async () => {
    await signIn(userPage, USER_EMAIL, USER_PASSWORD);
    await see(heading(userPage, 'Admins only'), 'the "Admins only" heading for the user');
    await userPage.waitForLoadState('networkidle');
    check((await userPage.getByRole('navigation', { name: 'Main' }).count()) === 0, 'the admin navigation is shown to a non-admin');
    check(adminRequests.length === 0, `admin requests were made for a non-admin: ${adminRequests.join(', ')}`);
    await shot(userPage, 'admins-only');
  });

  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await newPage(adminContext, 'admin');

  await step('the admin signs in and sees the overview', async () => {
    await page.goto(`${BASE_URL}/admin/`);
    await see(heading(page, 'Sign in'), 'the sign-in page');
    await shot(page, 'sign-in');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await see(heading(page, 'Overview'), 'the overview');
    await see(page.getByRole('region', { name: 'Ready checks' }), 'the ready checks');
    await see(page.getByRole('region', { name: 'Server' }), 'the server version');
    await see(page.getByText(ADMIN_EMAIL, { exact: true }), "the admin's email in the top bar");
    await shot(page, 'overview');
  });

  await step('users: search, open the user, ban them; their session ends', async () => {
    await openSection(page, 'Users');
    const link = page.getByRole('link', { name: USER_EMAIL, exact: true });
    const adminRow = page.getByRole('table').getByRole('link', { name: ADMIN_EMAIL, exact: true });
    // Both users are listed first, so the search has someone to leave out.
    await see(adminRow, `a row for ${ADMIN_EMAIL} before searching`);
    await see(link, `a row for ${USER_EMAIL} before searching`);
    await page.getByLabel('Search by email').fill(USER_EMAIL);
    await page.getByLabel('Search by email').press('Enter');
    await gone(adminRow, `the row of ${ADMIN_EMAIL} after searching for ${USER_EMAIL}`);
    await see(link, `a row for ${USER_EMAIL}`);
    const rows = await page.getByRole('table').locator('tbody tr').count();
    check(rows === 1, `searching for ${USER_EMAIL} lists ${rows} users, not 1`);
    await shot(page, 'users');
    await link.click();
    await see(heading(page, USER_EMAIL), "the user's detail page");
    await focusOnHeading(page, USER_EMAIL);
    await see(page.getByRole('region', { name: 'Profile' }).getByText('Signed up'), "the user's profile");
    await see(page.getByRole('region', { name: 'Sign-in methods' }).getByText('credential'), "the user's credential account");
    await shot(page, 'user-detail');

    const ban = page.getByRole('region', { name: 'Ban' });
    await ban.getByLabel('Ban reason').fill('Banned by the console e2e test');
    await ban.getByRole('button', { name: 'Ban user' }).click();
    await confirmDialog(page, 'Ban user?');
    await see(ban.getByRole('button', { name: 'Unban' }), 'the Unban button after the ban');
    await see(ban.getByText('Reason: Banned by the console e2e test.'), 'the ban reason');

    const session = await userPage.evaluate(async () => {
      const response = await fetch('/api/auth/get-session', { credentials: 'include' });
      return { status: response.status, body: await response.text() };
    });
    // Signed out, get-session answers 200 with a null body (or 401): nothing else.
    const signedOut = (session.status === 200 && session.body.trim() === 'null') || session.status === 401;
    check(signedOut, `the banned user's get-session did not answer "signed out": ${session.status} ${session.body}`);
    await userPage.reload();
    await see(heading(userPage, 'Sign in'), 'the sign-in page in the banned user\'s browser after a reload');
  });

  await step('unban the user', async () => {
    const ban = page.getByRole('region', { name: 'Ban' });
    await ban.getByRole('button', { name: 'Unban' }).click();
    await confirmDialog(page, 'Unban user?');
    await see(ban.getByRole('button', { name: 'Ban user' }), 'the Ban form after unbanning');
    await see(ban.getByText('Not banned.'), '"Not banned."');
  });

  await step('impersonate the user, then stop', async () => {
    await page.getByRole('region', { name: 'Impersonate' }).getByRole('button', { name: 'Impersonate' }).click();
    await confirmDialog(page, 'Impersonate user?');
    // An impersonation session has no admin rights: the banner and "Admins only".
    const banner = page.getByRole('region', { name: 'Impersonation' });
    await see(banner.getByText(USER_EMAIL), `the banner "Impersonating ${USER_EMAIL}"`);
    check((await banner.textContent()).includes(`Impersonating ${USER_EMAIL}`), 'the banner does not read "Impersonating <email>"');
    await see(heading(page, 'Admins only'), 'the "Admins only" page while impersonating');
    await shot(page, 'impersonating');
    await banner.getByRole('button', { name: 'Stop impersonating' }).click();
    await see(heading(page, 'Overview'), 'the console again after stopping');
    await see(page.getByText(ADMIN_EMAIL, { exact: true }), "the admin's email again");
    check((await page.getByRole('region', { name: 'Impersonation' }).count()) === 0, 'the impersonation banner is still shown');
  });

  await step('levels: rename a level', async () => {
    await openSection(page, 'Levels');
    // The level's own Edit link in the list, by keyboard: focused, then Enter.
    const edit = page.getByRole('table').getByRole('link', { name: /^Edit / }).and(page.locator(`[href*="edit=${LEVEL_ID}"]`));
    await see(edit, `the Edit link of level ${LEVEL_ID}`);
    await edit.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('region', { name: /^Edit level / });
    await see(form, `the edit form of level ${LEVEL_ID}`);
    await form.getByLabel('Name').fill(EDITED_NAME);
    await form.getByRole('button', { name: 'Save' }).click();
    await gone(form, 'the edit form after saving');
    await see(page.getByRole('cell', { name: EDITED_NAME, exact: true }), `"${EDITED_NAME}" in the levels list`);
    await shot(page, 'levels');
  });

  await step('files: the image has a preview; delete it', async () => {
    await openSection(page, 'Files');
    await page.getByLabel('Name contains').fill(FILE_NAME);
    await page.getByLabel('Name contains').press('Enter');
    const rows = page.getByRole('row').filter({ hasText: FILE_NAME });
    await see(rows, `a row for ${FILE_NAME}`);
    check((await rows.count()) === 1, `expected one file named ${FILE_NAME}, found ${await rows.count()}`);
    const preview = rows.getByRole('img', { name: `Preview of ${FILE_NAME}` });
    await see(preview, `the preview of ${FILE_NAME}`);
    try {
      await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await preview.elementHandle(), { timeout: TIMEOUT });
    } catch {
      throw new Error(`the preview of ${FILE_NAME} did not load (src ${await preview.getAttribute('src')})`);
    }
    await shot(page, 'files');
    await rows.getByRole('button', { name: `Delete ${FILE_NAME}` }).click();
    await confirmDialog(page, 'Delete file?');
    await gone(page.getByRole('row').filter({ hasText: FILE_NAME }), `the row of ${FILE_NAME} (${FILE_ID})`);
    // The browser logs the 404 asked for here; it is the only one allowed.
    allowed.push((text, url) => text.includes('404') && url.startsWith(`${BASE_URL}/trpc/core.file.get?`) && url.includes(FILE_ID));
    const status = await page.evaluate(async (fileId) => {
      const input = encodeURIComponent(JSON.stringify({ fileId }));
      const response = await fetch(`/trpc/core.file.get?input=${input}`, { credentials: 'include' });
      return response.status;
    }, FILE_ID);
    check(status === 404, `core.file.get of the deleted file answered ${status}, not 404`);
    await shot(page, 'files-after-delete');
  });

  await step('every page renders; users, a user and files fit 375px', async () => {
    for (const name of ['Posts', 'Offerings', 'Orders']) {
      await openSection(page, name);
      await see(page.locator('table, .empty').first(), `the ${name} list or its empty state`);
      await shot(page, name.toLowerCase());
    }
    await page.setViewportSize({ width: 375, height: 800 });
    await openSection(page, 'Users');
    await see(page.getByRole('table'), 'the users table');
    await fitsPhone(page, 'the users page', 'Users');
    await shot(page, 'users-375');
    await page.getByRole('link', { name: USER_EMAIL, exact: true }).click();
    await see(page.getByRole('region', { name: 'Profile' }).getByText('Signed up'), "the user's profile at 375px");
    await fitsPhone(page, "the user's page", USER_EMAIL);
    await shot(page, 'user-detail-375');
    await openSection(page, 'Files');
    await see(page.locator('table, .empty').first(), 'the files list or its empty state at 375px');
    await fitsPhone(page, 'the files page', 'Files');
    await shot(page, 'files-375');
  });

  await step('sign out; Back shows no admin data', async () => {
    const requests = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/trpc/') || pathname.startsWith('/api/auth/admin/')) requests.push(`${request.method()} ${request.url()}`);
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await see(heading(page, 'Sign in'), 'the sign-in page after signing out');
    const noAdminData = async (when) => {
      check((await page.getByRole('navigation', { name: 'Main' }).count()) === 0, `the admin navigation is shown ${when}`);
      check((await page.getByRole('table').count()) === 0, `a table is shown ${when}`);
      for (const email of [ADMIN_EMAIL, USER_EMAIL]) check((await page.getByText(email).count()) === 0, `${email} is shown ${when}`);
    };
    await noAdminData('after signing out');
    // Back to the user's page this tab showed before: still signed out.
    await page.goBack();
    check(new URL(page.url()).pathname.startsWith('/admin/users/'), `Back went to ${page.url()}, not the user's page`);
    await see(heading(page, 'Sign in'), 'the sign-in page after Back');
    await page.waitForLoadState('networkidle');
    await noAdminData('after Back');
    // A reload asks the server, which no longer knows the session.
    await page.reload();
    await see(heading(page, 'Sign in'), 'the sign-in page after a reload');
    await page.waitForLoadState('networkidle');
    await noAdminData('after a reload');
    check(requests.length === 0, `API requests after signing out: ${requests.join(', ')}`);
    await shot(page, 'signed-out');
  });

  // Anything the browser reported after the last step's check.
  await new Promise((resolve) => setTimeout(resolve, 200));
  check(consoleErrors.length === 0, `errors in the browser:\n${consoleErrors.join('\n')}`);
  console.log(JSON.stringify({ ok: true, steps: stepNumber }));
} catch (error) {
  console.error(`FAILED at step ${stepNumber} (${stepName}): ${error instanceof Error ? error.message : error}`);
  if (consoleErrors.length) console.error(`browser console errors:\n${consoleErrors.join('\n')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
