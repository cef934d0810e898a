// What customers write during a shared trouble. Each "kind" is one root cause: its lines
// describe the same symptom in different words, so many customers sound alike without being
// copies. Kinds without a `topic` are new kinds of trouble no category names; their words are
// unusual but consistent (customers repeat what they see on screen).

export const KINDS = {
  network: [
    {
      name: 'no-signal',
      lines: [
        'no signal at all {p} since about {t}',
        'phone says SOS only {p}',
        'zero bars {p}, what is going on',
        'cant make calls or use data {p} right now',
        "my phone has no service {p}, neither does my wife's",
        'lost all cell signal {p} a little while ago',
        'tower down {p}? nothing works on my phone',
        'No Service on my phone {p}. restarted twice',
        'signal just vanished {p}',
        'Emergency calls only {p}?? help',
      ],
    },
    {
      name: 'dropped-calls',
      lines: [
        'every call drops after 10 seconds {p}',
        'calls keep dropping {p} today',
        'cant finish a single phone call {p}',
        'all my calls fail {p} since {t}',
        'is there a problem with calls {p}? they just cut off',
        'dropped 6 calls in the last hour {p}',
        'call failed, call failed, call failed. {p}',
      ],
    },
    {
      name: 'slow-data',
      lines: [
        'mobile data is unusable {p} right now',
        'data barely loads {p} since {t}',
        'LTE showing but nothing loads {p}',
        'speed test says 0.1 mbps {p}',
        'internet on my phone is crawling {p} today',
        'apps wont load on cellular {p}',
        'data stopped working {p}, wifi is fine',
        '5G is useless {p} this afternoon',
      ],
    },
  ],
  outage: [
    {
      name: 'home-internet-down',
      lines: [
        'internet down {p} since {t}',
        'home internet is out {p}',
        'our wifi is dead and the modem has a red light {p}',
        'is there an outage {p}? no internet',
        'entire building has no internet {p}',
        'fiber is down again {p}',
        'no internet no tv {p} whats going on',
        'outage {p}?? working from home and cant connect',
        'internet went out {t} {p}',
        'modem keeps saying no sync {p}',
        'neighbors are down too {p}, outage?',
        'whole street lost internet {p}',
      ],
    },
    {
      name: 'total-outage',
      lines: [
        'everything is down {p}. phone, internet, all of it',
        'no service whatsoever {p}',
        'complete outage {p}?',
        'your whole network is down {p} isnt it',
        'nothing works, no calls no data no home internet {p}',
        'massive outage {p} right now',
        'service is down {p} for everyone I know',
      ],
    },
  ],
  billing: [
    {
      name: 'double-charge',
      lines: [
        'I was charged twice this month, {amt} two times',
        'autopay ran twice today!! {amt} x2',
        'double charged on my card this morning',
        'you took my payment twice, overdraft fees now',
        'two identical charges of {amt} from Vireo today',
        'why did my bank get hit twice by you guys',
        'duplicate payment pulled from my checking today',
        'anyone else get charged twice by Vireo today?',
      ],
    },
    {
      name: 'wrong-amount',
      lines: [
        'my bill today is {amt}, normally it is $70',
        'bill jumped to {amt} overnight with no explanation',
        'new statement says {amt}, what is this',
        'bill more than doubled this cycle??',
        'my invoice shows charges for 11 lines, I have 2',
        'the bill posted today is wrong, {amt}',
      ],
    },
  ],
  device: [
    {
      name: 'bad-update',
      lines: [
        "phone stuck on the logo after last night's update",
        'the update bricked my {dev}',
        'after the carrier update my {dev} keeps rebooting',
        'software update killed my phone',
        'since the update this morning my phone wont connect to anything',
        'update broke wifi calling on my {dev}',
        'boot loop after the update, is this happening to others?',
        'my {dev} froze during the update and now black screen',
      ],
    },
    {
      name: 'gateway-firmware',
      lines: [
        'gateway rebooting every few minutes since the firmware push',
        'router restarts itself over and over',
        'my gateway lights cycle and it never connects since {t}',
        'the home gateway is stuck updating firmware',
        'router firmware update failed and now no wifi',
      ],
    },
  ],
  account: [
    {
      name: 'login-broken',
      lines: [
        'cant log into the app, it says something went wrong',
        'login keeps failing on the website',
        'the app wont let me sign in today',
        'password is correct but app says invalid',
        'my account page is blank',
        'app says "session expired" every time I log in',
        'cant access my account at all this morning',
        'two factor code never arrives so I cant log in',
      ],
    },
  ],
  service: [
    {
      name: 'phone-line-dead',
      lines: [
        'your support number just rings and rings',
        'called support 5 times, it hangs up after the menu',
        'nobody answers the care line today',
        'support line says "all circuits busy"',
        'chat and phone support both down?',
        'been trying to reach someone for 2 hours, the line disconnects',
      ],
    },
  ],
  delivery: [
    {
      name: 'orders-stuck',
      lines: [
        'my order has not moved from the warehouse {p}',
        'tracking stuck at "label created" for days {p}',
        'preorder was supposed to be here today, no update {p}',
        'delivery missed again {p}',
        'all the phone deliveries are late {p}? mine too',
        'order status says exception {p}',
      ],
    },
  ],
};

/** New kinds of trouble: odd, specific words that customers repeat as they see them. */
export const NOVEL = [
  {
    name: 'voicemail-language',
    lines: [
      'my voicemail greeting suddenly plays in Portuguese',
      'voicemail lady is speaking portuguese now??',
      'why is my voicemail menu in portuguese all of a sudden',
      'callers hear a portuguese voicemail greeting instead of mine',
      'voicemail switched to Portuguese overnight, I never touched it',
    ],
  },
  {
    name: 'caller-id-orca',
    lines: [
      'everyone I call sees my caller ID as "ORCA TEST"',
      'my outgoing caller id shows ORCA TEST',
      'friends say my calls show up as ORCA TEST',
      'caller ID says ORCA TEST instead of my name',
      'why does my number display as ORCA TEST to people',
    ],
  },
  {
    name: 'sms-garble',
    lines: [
      'texts arriving as boxes and question marks',
      'incoming sms turned into garbled symbols ⍰⍰⍰',
      'every text I receive is just squares and symbols',
      'messages show up as gibberish characters',
      'sms from my bank arrive as unreadable boxes',
    ],
  },
  {
    name: 'esim-expired',
    lines: [
      'esim QR code says "profile expired" the moment I scan it',
      'profile expired error when adding the esim',
      'scanned the esim code and it says expired, it was emailed 5 min ago',
      'eSIM activation: profile expired, every time',
      'new esim says profile expired, tried 3 codes',
    ],
  },
  {
    name: 'alarm-clock-time',
    lines: [
      'my phone clock jumped an hour ahead and I missed work',
      'phone time is wrong by exactly one hour today',
      'network time set my clock an hour off',
      'clock on my phone is an hour fast since last night',
      'alarm went off an hour early because the phone time changed by itself',
    ],
  },
  {
    name: 'hold-music-loop',
    lines: [
      'the hold music skips and repeats the same 3 seconds forever',
      'hold music stuck on a loop of a trumpet note',
      'on hold listening to the same broken trumpet blip for an hour',
      'your hold music is a stuck trumpet loop',
    ],
  },
];

export const STILL = [
  'still down',
  'still nothing here',
  'STILL no service',
  'any update? still broken',
  'it is still not working',
  'still out, going on hours now',
  'nope, still the same',
  'hello?? still happening',
  'still broken {p}',
  'same problem, still',
  'been hours. still not fixed',
  'still waiting on a fix here',
];

export const BACK = [
  'back now, thanks',
  'working again 👍',
  'seems fixed now',
  'ok it came back',
  'all good now, service restored',
  'its back up, finally',
  'back online',
  'looks resolved on my end',
  'fixed now, thank you',
  'back to normal here',
];
