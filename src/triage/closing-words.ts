/*
 * The closing reply's words beyond English (`closing.ts`): thanks and "it works again" in
 * Spanish, German, French, Portuguese and Italian, the words in those languages that mean there
 * is more to it, and the bare acknowledgements ("ok", "k", "👍") a customer sends to a notice.
 * Whole phrases with letter-aware boundaries (`\b` does not know "ç" or "á").
 */

const B = String.raw`(?<![\p{L}\p{N}])`;
const E = String.raw`(?![\p{L}\p{N}])`;
const phrases = (list: string[], flags = 'gu') =>
  new RegExp(list.map((p) => `${B}(?:${p})${E}`).join('|'), flags);

/** Thanks and approval. */
export const THANKS_INTL = phrases([
  // es
  `(?:muchas |mil |muchísimas )?gracias|genial|perfecto|excelente|estupendo|buenísimo`,
  // de
  `danke(?: ?schön| sehr| euch)?|dankeschön|vielen dank|besten dank|herzlichen dank|prima|toll|perfekt|klasse|spitze|super`,
  // fr
  `merci(?: beaucoup| bien)?|parfait|génial|nickel|excellent|top`,
  // pt
  `obrigad[oa]|brigad[oa]|valeu|perfeito|ótimo|otimo|beleza`,
  // it
  `grazie(?: mille| tante)?|perfetto|ottimo|benissimo|fantastico`,
]);

/** It works now. */
export const WORKS_INTL = phrases([
  // es: "ya funciona", "volvió", "todo bien"
  `(?:ya |ahora |todo )?(?:funciona|funcionan|anda|va bien|est[aá] funcionando|volvi[oó]|ha vuelto|se arregl[oó]|arreglado|solucionado|resuelto)(?: de nuevo| otra vez| bien| perfecto)?`,
  `todo (?:bien|ok|correcto|en orden|perfecto)`,
  // de: "funktioniert wieder", "geht wieder", "alles gut"
  `(?:es |jetzt |alles )?(?:funktioniert|funktionieren|geht|läuft|laeuft)(?: (?:wieder|jetzt|alles|super|prima))+|(?:es |jetzt |alles )?funktioniert|(?:ist )?wieder da|alles (?:gut|klar|ok|wieder gut)|behoben|repariert|gelöst`,
  // fr: "ça marche", "ça remarche", "c'est bon", "tout est rentré dans l'ordre"
  `(?:ça|ca|tout) (?:re)?(?:marche|fonctionne)(?: (?:à|a|de) nouveau| maintenant| bien)?|c'est (?:bon|réglé|regle|ok|revenu|rétabli|résolu|réparé)|tout (?:est )?(?:bon|ok|rentré dans l'ordre|revenu)|(?:fonctionne|marche) (?:à nouveau|a nouveau|de nouveau|maintenant)|réglé|résolu|rétabli|réparé|revenu`,
  // pt: "já funciona", "voltou", "tudo certo"
  `(?:já |ja |agora )?(?:funciona|funcionando|voltou|est[aá] funcionando|resolvido|resolveu|consertado|normalizado|normalizou|deu certo)(?: de novo| normal)?`,
  `tudo (?:certo|ok|bem|normal|funcionando)`,
  // it: "ora funziona", "è tornato", "tutto a posto"
  `(?:ora |adesso |di nuovo )?(?:funziona|funzionano|va bene|(?:è|e') tornat[oa]|tornat[oa]|risolto|sistemato|riparato)(?: di nuovo| ora| adesso)?`,
  `tutto (?:ok|a posto|apposto|bene|risolto)`,
]);

/**
 * Words that mean there is more to it: a negation, a "but", a "still" ("sigue", "noch",
 * "toujours", "ainda", "ancora"), a lack ("sin", "ohne", "sans", "sem", "senza") or a question.
 * ("Merci encore" is thanks again: "encore" is left out; "noch mal" is "once more".)
 */
export const MORE_INTL = phrases(
  [
    `pero|todavía|todavia|aún|aun|sigue|siguen|sin|nada|nunca|problema|problemas|por qué|cuándo`,
    `nicht|kein|keine|keinen|aber|noch(?! ?mal)|immer noch|ohne|warum|wann|problem|störung`,
    `pas|plus|mais|toujours|sans|rien|jamais|problème|pourquoi|quand`,
    `não|nao|mas|ainda|sem|nunca|problema|por que|quando`,
    `non|ma|ancora|senza|niente|mai|problema|perché|quando`,
  ],
  'u',
);

/** A bare acknowledgement: all a reply may say to be a closing one without thanks. */
export const ACK_WORDS = new Set(
  'ok okay okey oki okie okk k kk alright noted vale dacord ack'.split(' '),
);

/** Emoji of thanks or approval: a lone "👍" closes as "thanks" does. */
export const ACK_EMOJI = /[👍👌🙏✅🆗🙌👏]/u;

/** Greetings, sign-offs and little words of those languages (see `FILLER`). */
export const FILLER_INTL =
  'hola buenas buenos días dias saludos equipo ya todo ahora de la el los las por muy un una y ' +
  'su vuestra otra vez nuevo bien ' +
  'hallo servus moin jetzt wieder es alles das ihr euch viel sehr und für fur die hilfe grüße ' +
  'gruß lg vg mfg mal ' +
  'bonjour salut maintenant à a nouveau tout ça ca le les pour votre aide beaucoup et ' +
  'cordialement bonne journée soirée équipe encore ' +
  'olá ola oi bom boa dia tarde agora já ja novo o pela pelo ajuda muito e abraço att equipe ' +
  'ciao salve buongiorno ora adesso di il per aiuto molte tante saluti cordiali';
