"""Function words that say nothing about which claim a message repeats.

BM25 already gives common words little weight in a large library, but a young library of a few
dozen fact-checks has no statistics yet: there "is" and "the" look rare, and a chat message such
as "what time is the meeting?" would seem to match. Dropping function words from the message
(not from the fact-checks) removes that false evidence in any library size. The lists are short
on purpose: only words that never carry a claim, in the languages the bot is used in, and
without words that are content words in another of them (German "die", "war"; Spanish "son").
"""

from __future__ import annotations

from bot.matching.normalise import fold

_WORDS = {
    "en": """a about above after again against all am an and any are as at be because been
        before being below between both but by can could did do does doing down during each few
        for from further had has have having he her here hers herself him himself his how i if in
        into is it its itself just me more most my myself no nor not now of off on once only or
        other our ours ourselves out over own same she should so some such than that the their
        theirs them themselves then there these they this those through to too under until up
        very was we were what when where which while whom why will with would you your yours
        yourself yourselves s t don dont im ive its thats theres lol omg pls please rt via""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
        только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже
        или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они
        тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под
        будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем
        чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после
        над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо
        свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это""",
    "uk": """і й та але що як це в у на з із до від за по про для не ні так ще вже чи би б
        я ти він вона воно ми ви вони мене тебе його її нас вас їх мій твій наш ваш цей ця ці
        той там тут де коли якщо бо також тільки лише був була було були є""",
    "fa": """و در به از که این را با است برای آن یک تا هم خود بر یا اما هر شد شده می ها های
        نیز بود باید همه ما من تو او آنها ایشان کرد کند کنند کرده شود شوند دارد دارند داشت
        هست نیست بی پس اگر چه چون دیگر ای آیا وی ولی یعنی""",
    "ar": """في من على إلى عن مع هذا هذه ذلك التي الذي التى الذى أن إن كان كانت قد لا ما لم
        لن هو هي هم نحن أنا أنت كل بعد قبل عند حتى أو ثم بين كما إذا وقد ولا وهو وهي""",
    "es": """el la los las un una unos unas y o pero de del al a en por para que es fue
        como más mas su sus se lo le les no si ya muy este esta estos estas eso esa ese""",
    "fr": """le la les un une des et ou mais de du au aux à a en dans par pour sur que qui est
        sont été ce cette ces il elle ils elles on ne pas plus se sa ses leur leurs""",
    "de": """der das den dem des ein eine einer eines und oder aber in im an am auf aus
        bei mit von zu zum zur für ist sind nicht auch es er sie wir ihr ich du""",
}

STOPWORDS: frozenset[str] = frozenset(
    token for words in _WORDS.values() for word in words.split() for token in fold(word).split()
)
