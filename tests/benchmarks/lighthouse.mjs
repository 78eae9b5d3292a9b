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

async function answer(values) {
  for (const [name, value] of values) {
    await page.click(`label[for="q-${name}-${value}"]`);
  }
  await Promise.all([page.waitForNavigation(), page.click('button[value="next"]')]);
}

await flow.navigate(`${base}/`, {name: 'start'});
await flow.navigate(`${base}/check`, {name: 'questionnaire'});
await answer([['red_flags', 'none']]);
await answer([['jerking', 'yes'], ['reflexes', 'not_sure'], ['stiffness', 'yes'],
              ['weakness', 'no'], ['balance', 'no'], ['pain', 'yes'], ['daily_life', 'yes'],
              ['where', 'ankles'], ['started', 'weeks'], ['worse', 'slowly'],
              ['nerve_symptoms', 'none']]);
for (const [name, value] of [['checked', 'no'], ['conditions', 'ms'], ['oxygen', 'no'],
                             ['infection', 'no'], ['kidney_liver', 'none'],
                             ['medicines', 'none'], ['medicine_change', 'no']]) {
  await page.click(`label[for="q-${name}-${value}"]`);
}
// Keep the CSRF cookie: clearing storage before this step would refuse the form.
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
