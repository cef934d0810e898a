/*
 * "Still broken" in the desk's other common languages (es, de, fr, pt, it; triage detects the
 * language, but a reply is often too short for it to be sure, so every list is read), and the
 * short negative answers ("nope", "no luck", "👎") that say so only as an answer to the fix
 * notice ("If it is still not working for you, just reply to this message").
 *
 * Like the English phrases (`still-broken.words.ts`): whole phrases that say the trouble is still
 * there or back, not a bare lack ("kein Internet" is as likely a new complaint as "no internet").
 */

/** A phrase boundary that knows accented letters (`\b` does not: "aún", "ça"). */
const B = String.raw`(?<![\p{L}\p{N}])`;
const E = String.raw`(?![\p{L}\p{N}])`;

const SERVICE_ES = `(?:funcionar|servicio|señal|senal|internet|conexi[oó]n|l[ií]nea|red|luz|cobertura|datos|wifi|wi fi)`;
const SERVICE_PT = `(?:funcionar|servi[cç]o|sinal|internet|conex[aã]o|linha|rede|luz|cobertura|dados|wifi|wi fi)`;

const PHRASES = [
  // es: "sigue sin funcionar", "todavía no funciona", "no funciona", "se cayó otra vez"
  `(?:sigue|siguen|contin[uú]a|contin[uú]an) (?:sin ${SERVICE_ES}|igual|ca[ií]d[oa]s?|cortad[oa]s?|fallando|el mismo problema|sin arreglar)`,
  `(?:todav[ií]a|a[uú]n) (?:no|sin|ca[ií]d[oa]|cortad[oa]|fallando|igual|nada)`,
  `no (?:me |nos |se )?(?:funciona|funcionan|anda|sirve|conecta|carga|va(?! a${E})|se (?:ha|han) (?:arreglado|solucionado|resuelto)|est[aá] (?:arreglado|solucionado|resuelto)|(?:lo|la|los) (?:han|hab[eé]is) (?:arreglado|solucionado))`,
  `(?:se (?:ha |me ha )?(?:cay[oó]|ca[ií]do|cort[oó]|cortado)|est[aá] ca[ií]d[oa]) (?:otra vez|de nuevo|nuevamente)`,
  `(?:otra vez|de nuevo) (?:sin ${SERVICE_ES}|ca[ií]d[oa]|cortad[oa])`,
  // de: "funktioniert immer noch nicht", "geht noch nicht", "immer noch kein Netz"
  `(?:funktioniert|funktionieren|funzt|geht|gehen|läuft|laeuft)(?: (?:immer noch|noch immer|weiterhin|noch|wieder|schon wieder|leider|immer|bei mir|hier|es|das))* (?:nicht|net)${E}(?! (?:mehr schlecht|schlecht))`,
  `(?:immer noch|noch immer|weiterhin|nach wie vor) (?:kein|keine|keinen|nicht|tot|down|gestört|gestoert|ausgefallen|weg|offline|das gleiche|dasselbe|dieselbe|die gleiche|störung|stoerung|probleme)`,
  `(?:schon wieder|wieder|erneut) (?:weg|ausgefallen|down|offline|tot|gestört|gestoert|kein|keine|keinen)`,
  `(?:nicht|noch nicht) (?:behoben|repariert|gelöst|geloest|besser)`,
  // fr: "toujours pas de connexion", "ça ne marche pas", "pas réparé", "encore en panne"
  `toujours (?:pas|rien|aucun|aucune|en panne|coupée?|hs|hors service|sans|le même|le meme|la même|la meme|pareil|le problème|le probleme)`,
  `(?:marche|marchent|fonctionne|fonctionnent|capte|connecte)(?: toujours)? (?:pas|plus)${E}(?! (?:vite|rapide|mieux|de (?:problème|probleme|souci|panne|coupure)))`,
  `(?:pas|toujours pas|pas encore|rien) (?:réparée?|reparee?|résolue?|resolue?|rétablie?|retablie?|corrigée?|corrigee?|réglée?|reglee?|changé|change)${E}`,
  `(?:encore|de nouveau|à nouveau|a nouveau) (?:en panne|coupée?|hs|hors service|sans (?:réseau|reseau|internet|connexion|signal)|plus de|pas de)`,
  // pt: "continua sem funcionar", "ainda não funciona", "não voltou", "caiu de novo"
  `(?:continua|continuam|segue|seguem|permanece) (?:sem ${SERVICE_PT}|ca[ií]d[oa]|fora|igual|o mesmo|a mesma|com (?:problema|defeito))`,
  `ainda (?:não|nao|sem|está fora|esta fora|fora|ca[ií]d[oa]|com (?:problema|defeito))`,
  `(?:não|nao) (?:está |esta |tá |ta )?(?:funciona|funcionando|funcionou|voltou|conecta|pega|resolveu|resolvido|consertado|foi (?:resolvido|consertado|arrumado|corrigido))`,
  `(?:caiu|parou|travou|sumiu) (?:de novo|outra vez|novamente)`,
  `(?:de novo|outra vez|novamente) sem ${SERVICE_PT}`,
  // it: "ancora non funziona", "non va", "di nuovo giù", "non è stato risolto"
  `(?:ancora|continua a|sempre) (?:non|senza|nessun|nessuna|niente|giù|giu|down|lo stesso problema|uguale|guast[oa]|interrott[oa]|problemi)`,
  `non (?:mi |ci )?(?:funziona|funzionano|va(?! (?:male|mica male))|prende|si connette|(?:è|e') (?:ancora |stato |stata )*(?:risolt[oa]|sistemat[oa]|riparat[oa])|hanno (?:risolto|sistemato|riparato))`,
  `(?:di nuovo|ancora una volta|nuovamente) (?:giù|giu|senza|down|guast[oa]|interrott[oa])`,
  `(?:caduta?|caduto|saltata?|saltato|interrott[oa]) (?:di nuovo|ancora|nuovamente)`,
];

const STILL_BROKEN_INTL = new RegExp(PHRASES.map((p) => `${B}${p}${E}`).join('|'), 'gu');

/** "If it is still not working": a condition or a question around a phrase is not a verdict. */
const SUPPOSED = /(?<![\p{L}])(?:si|se|wenn|falls|ob|caso|qualora|au cas o[uù]|if)(?![\p{L}])/u;

/** Whether plain lower-cased text (`plain`) says in one of the languages that it is still broken. */
export function saysStillBrokenIntl(t: string): boolean {
  for (const m of t.matchAll(STILL_BROKEN_INTL)) {
    const before =
      t
        .slice(Math.max(0, m.index - 30), m.index)
        .split(/[.!?¿¡,;]/)
        .pop() ?? '';
    const after = t.slice(m.index + m[0].length).split(/[.!,;]/)[0] ?? '';
    if (!SUPPOSED.test(before) && !after.includes('?')) return true;
  }
  return false;
}

/** The core of a short negative answer (one of these is needed). */
const NEGATIVE = new Set(
  (
    'no nope nah naw nop not nothing nada negative nein nö noe nee nicht non não nao niente ' +
    'same nix rien pas'
  ).split(' '),
);

/** Words a short negative may carry besides (hedges, "yet", "for me", "still", "luck"). */
const ALONGSIDE = new Set(
  (
    "lol lmao haha hah ugh um uhm uh well sorry unfortunately sadly afraid i i'm im am still " +
    'yet here for me us at all really luck my our end on at this side change so far ' +
    'todavía todavia aún aun aquí aqui para mí mi lo siento por desgracia ' +
    'noch immer leider hier bei mir mir ' +
    'encore toujours ici pour moi chez malheureusement ' +
    'ainda aqui pra mim para infelizmente ' +
    'ancora qui per me purtroppo sempre'
  ).split(' '),
);

const NEGATIVE_EMOJI = /[👎😡😠🤬😤😞😢😭☹🙁😩😫😒💀❌🚫😖😣😔]/u;
const POSITIVE_EMOJI = /[👍👌🙏😊🙂😀😃😄😁❤💯✅🎉🥳😍👏🤩☺]/u;

/**
 * A short reply that only says no ("nope", "no luck", "not for me", "nothing yet", "👎😡",
 * "todavía no", "noch nicht", "pas encore", "ainda não", "non ancora"): "still broken" when it
 * answers the fix notice, and nothing to go on otherwise ("nope" to an agent's question). Any
 * other word ("nope, all fine now", "not anymore") makes it something else.
 */
export function shortNegative(text: string): boolean {
  if (text.length > 60 || POSITIVE_EMOJI.test(text)) return false;
  const words = text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^\p{L}']+/u)
    .filter((w) => w.length > 0);
  if (words.some((w) => !NEGATIVE.has(w) && !ALONGSIDE.has(w))) return false;
  return words.some((w) => NEGATIVE.has(w)) || NEGATIVE_EMOJI.test(text);
}
