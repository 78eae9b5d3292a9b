// Lighthouse scores for the start page, the questionnaire and the outcome page.
// The outcome is only reached by sending the forms, so this is a Lighthouse user flow driven
// through Debian's Chromium: node lighthouse.mjs http://127.0.0.1:PORT > scores.json
import puppeteer from 'puppeteer-core';
import {startFlow} from 'lighthouse';

const base = process.argv[2];
const chromium = process.env.SELFCHECK_CHROMIUM || '/usr/bin/chromium';
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage();
const config = {
  extends: 'lighthouse:default',
  settings: {onlyCategories: ['performance', 'accessibility', 'best-practices']},
};
const flow = await startFlow(page, {config});

// Each page of questions in turn, answered as a person with nothing to report would: "None of
// these" where a question has it, else "No", else an adult's age, else its first answer. The
// pages are found as the app shows them, so a new page or question needs no change here.
const PREFERRED = ['none', 'no', 'nowhere', 'adult', 'self'];

async function answerPage() {
  const names = await page.$$eval('form input[type=radio], form input[type=checkbox]',
    (inputs) => [...new Set(inputs.map((i) => i.name))]);
  for (const name of names) {
    const values = await page.$$eval(`input[name="${name}"]`, (inputs) => inputs.map((i) => i.value));
    const value = PREFERRED.find((v) => values.includes(v)) || values[0];
    await page.click(`label[for="q-${name}-${value}"]`);
  }
}

async function atResult() {
  return (await page.$('#urgency-heading')) !== null;
}

await flow.navigate(`${base}/`, {name: 'start'});
await flow.navigate(`${base}/check`, {name: 'questionnaire'});
for (let pages = 0; !(await atResult()); pages++) {
  if (pages > 20) throw new Error('the questions never reached a result');
  await answerPage();
  await Promise.all([page.waitForNavigation(), page.click('button[value="next"]')]);
}
// Measure the result as it is reached: back to the last page (its answers are kept), and send
// it again inside the flow. Keep the CSRF cookie: clearing storage would refuse the form.
await page.goBack();
await flow.navigate(async () => { await page.click('button[value="next"]'); },
                    {name: 'outcome', disableStorageReset: true});

const result = await flow.createFlowResult();
const scores = {};
for (const step of result.steps) {
  scores[step.name] = Object.fromEntries(
    Object.entries(step.lhr.categories).map(([id, c]) => [id, Math.round(c.score * 100)]));
  scores[step.name].url = step.lhr.finalDisplayedUrl;
  scores[step.name].failed = Object.values(step.lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative'
            && a.scoreDisplayMode !== 'manual' && a.scoreDisplayMode !== 'notApplicable')
    .map((a) => a.id);
}
process.stdout.write(JSON.stringify(scores, null, 2) + '\n');
await browser.close();
