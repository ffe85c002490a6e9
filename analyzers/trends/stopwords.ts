/**
 * Function words for English, Spanish and Portuguese, accent-folded and lowercase. A phrase may not
 * start or end with one of these, and none is a term on its own. Kept here rather than taken from
 * `natural` because its stopword module drags in the library's index.
 */
const ENGLISH = `a about above after again against all almost also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
down during each else even ever every few for from further get gets got had hadn't has hasn't have haven't
having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if im in
into is isn't it it's its itself just let's like lol me more most much must mustn't my myself no nor not now
of off oh ok okay on once only or other ought our ours ourselves out over own really same shan't she she'd
she'll she's should shouldn't so some still such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those though through to too under until up us very
was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who
who's whom why why's will with won't would wouldn't yeah yes yet you you'd you'll you're you've your yours
yourself yourselves u ur dont im ive id cant wont didnt doesnt isnt thats theres whats one two get got go
going gonna want wanna lot lots thing things way well back amp rt via`;

const SPANISH = `a al algo algunas algunos ante antes aqui asi aun cada como con contra cual cuando de del desde
donde dos el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estan estar este esto
estos fue fueron ha hace hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros o os otra
otro para pero poco por porque que quien se sea ser si sin sobre solo son su sus tambien te tiene tienen todo
todos tu tus un una uno unos usted ya yo`;

const PORTUGUESE = `a ao aos as ate com como da das de dela dele deles depois do dos e ela elas ele eles em entre
era essa esse esta estava este eu foi for ha isso isto ja la lhe mais mas me mesmo meu minha muito na nao nas
nem no nos nossa nosso num numa o os ou para pela pelo por qual quando que quem se sem ser seu sua suas so
tambem te tem tinha tu um uma voce voces`;

/** Lowercase, accent-folded stop words of all supported languages. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `${ENGLISH} ${SPANISH} ${PORTUGUESE}`.split(/\s+/).filter((w) => w.length > 0),
);
