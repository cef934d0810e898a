/**
 * `npm run eval -- triage`: measures the shipped triage model on real labelled data from
 * ../shared/data (read at run time, never copied). Each part prints a skip reason when its data
 * is absent.
 */
import { createTriage } from '../../src/triage/index.js';
import { reportRealArea } from './area-real.js';
import { loadComplaints, reportComplaints } from './complaints.js';
import { reportArea, reportCorrections } from './extras.js';
import { reportSpeed } from './speed.js';
import { loadTelecomTweets, reportLanguage, reportRiskSample, reportTopics } from './topics.js';

export async function runTriageEval(): Promise<void> {
  const triage = createTriage();
  console.log(`triage eval — model ${triage.model.version}`);
  const complaints = loadComplaints();
  if (typeof complaints === 'string')
    console.log(`\n== Complaint detection: skipped: ${complaints}`);
  else reportComplaints(triage, complaints);
  const tweets = loadTelecomTweets();
  if (typeof tweets === 'string') console.log(`\n== Topic / language: skipped: ${tweets}`);
  else {
    reportTopics(triage, tweets);
    reportLanguage(triage, tweets);
  }
  reportRiskSample(triage);
  reportArea(triage);
  reportRealArea(triage);
  reportCorrections(
    triage,
    typeof tweets === 'string' ? null : tweets,
    typeof complaints === 'string' ? null : complaints,
  );
  reportSpeed(triage);
}

// Also runnable directly: node --import tsx eval/triage/index.ts
if (import.meta.url === `file://${process.argv[1]}`) await runTriageEval();
