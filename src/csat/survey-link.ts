/** Where the customer answers a survey: the page served by csat.page.ts. */
export const surveyLink = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/+$/, '')}/csat/${token}`;

/** The survey message, before its link. */
export const SURVEY_INVITE = 'How did we do? Rate us from 1 to 5:';
/** The survey link as the desk shows it: its token is the customer's alone. */
export const SURVEY_LINK_HIDDEN = '[survey link]';
const LINK = /https?:\/\/[^\s"]*?\/csat\/[\w-]{10,100}/g;

/** `text` with every survey link in it shown as `SURVEY_LINK_HIDDEN`. */
export const hideSurveyLinks = (text: string) => text.replace(LINK, SURVEY_LINK_HIDDEN);
