/**
 * Finer cue groups (ours) beside lexicons.ts's one complaint list. Each group is its own feature,
 * so the model can weigh "a thing broke" apart from "I waited" or "lol". They exist to reach words
 * our training sentences never use: a listed word lights its group's feature even when the word
 * itself has no weight. Written from how people describe trouble online, not from any data set.
 */
const w = (s: string): string[] => s.trim().split(/\s*,\s*/);

export const CUE_GROUPS: Record<string, string[]> = {
  // Something does not work or arrived damaged.
  defect: w(`broke, breaks, broken, faulty, defective, malfunction, malfunctioning, glitch,
    glitches, glitching, bug, bugs, buggy, freeze, freezes, froze, frozen, freezing up, crash,
    crashes, crashing, crashed, lag, lags, lagging, laggy, leak, leaks, leaking, leaked, cracked,
    torn, ripped, stained, scratched, dented, shattered, snapped, peeling, faded, shrank, shrunk,
    bounce, bounced, bouncing, logs me out, logged me out, logging me out, kicked out, kicks me out,
    error message, error code, blank screen, white screen, black screen, spinning, wont load,
    will not load, does not load, not loading, fails to, failed to, keeps failing, keeps crashing,
    stopped working, quit working, dead, died, no power, not charging, will not charge, overheating,
    moldy, mouldy, stale, soggy, raw, undercooked, burnt, burned, expired, rotten, spoiled, sour,
    cold food, melted, missing items, wrong order, wrong item, wrong size, damaged, smashed`),
  // Time passing without what was promised.
  delay: w(`delayed, delay, delays, late, later, overdue, still waiting, been waiting, waiting for,
    on hold, hold music, hours, minutes, days, weeks, months, since, yet to, have not received,
    has not arrived, not arrived, never arrived, never came, never showed, no show, stuck, stranded,
    missed, postponed, rescheduled, pushed back, cancelled, canceled, forever, ages, eternity,
    how long, when will, any update, no update, no updates, still nothing, still no, still not`),
  // The company failed to respond or treated the person badly.
  neglect: w(`ignored, ignoring, ignore, ghosted, no reply, no response, no answer, never replied,
    never responded, never called, never heard back, hung up, hangs up, transferred, passed around,
    runaround, run around, rude, attitude, unprofessional, incompetent, clueless, lied, lying, lies,
    promised, told me, was told, you said, supposed to, refused, refuse, denied, rejected, declined,
    blocked, suspended, banned, locked out, cut off, disconnected, charged me, overcharged,
    double charged, charged twice, ripped off, rip off, scam, scammed, stole, stolen, hidden fees,
    no refund, still no refund, waste of money, waste of time, not worth`),
  // Exasperation, slang and sarcasm markers of tweets.
  vexed: w(`ugh, smh, ffs, wtf, fml, omfg, seriously, really, honestly, ridiculous, unacceptable,
    absurd, joke, a joke, laughable, pathetic, shocking, appalling, disgraceful, disgusting, gross,
    furious, livid, fuming, angry, mad, pissed, annoyed, irritated, frustrated, frustrating, fed up,
    sick of, tired of, done with, over it, had enough, never again, last time, never buying,
    never shopping, never flying, worst, terrible, horrible, awful, useless, trash, garbage, rubbish,
    crap, sucks, sucked, thanks for nothing, great job, well done, so much for, nice one, cheers for,
    how hard, is it too much, what is the point, what happened to, why is it, why does, why do,
    why can, why cant, why wont, why are, why has, why have, how is it, how are you, how do you,
    explain why, care to explain, anyone else, am i the only, unbelievable, un believable`),
  // Again and again: the repeat is the breach.
  repeat: w(`again, yet again, once again, still, every time, everytime, every single, each time,
    always, constantly, keeps, keep, kept, third time, second time, fourth time, multiple times,
    several times, times now, for the last, for weeks, for months, for days, all week, all day,
    every day, everyday, every week, this week, same issue, same problem, same thing, nothing changed,
    still broken, still down, still the same, not fixed, never fixed, not resolved`),
  // Social chatter and news: posts that are not a complaint to a company.
  social: w(`lol, lmao, haha, hahaha, omg, congrats, congratulations, happy birthday, birthday,
    love you, miss you, proud, cute, bae, babe, bro, mate, dude, girl, guys, tonight, weekend,
    party, game, match, season, episode, vote, voted, election, president, congress, senate,
    government, minister, police, killed, dies, dead at, arrested, shooting, crash kills, report,
    reports, breaking, news, headline, study, scientists, video, photo, podcast, blog, giveaway,
    win, winner, follow, retweet, rt, tickets, concert, album, song, movie, film, book, recipe`),
};
