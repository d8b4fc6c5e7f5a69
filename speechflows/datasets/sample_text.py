"""Real sentences and small documents for synthetic scripts, transcripts and text datasets.

Every block of ten has two questions (positions 1 and 6) and two exclamations (3 and 8), so
any script of ten or more lines meets the 10% question and exclamation advice.
"""

from __future__ import annotations

SENTENCES = (
    "The morning train leaves the station at half past seven.",
    "Could you tell me where the nearest pharmacy is?",
    "Our new store opens on the corner of Main Street next week.",
    "What a wonderful surprise to see you here!",
    "Please keep your ticket until the end of the journey.",
    "The museum is closed on Mondays during the winter.",
    "Have you already booked a table for tonight?",
    "Fresh bread is delivered to the bakery every morning.",
    "Watch out, the floor is still wet!",
    "The weather should clear up by the afternoon.",
    "She planted tomatoes and basil in the small garden.",
    "Is this the right platform for the express to the coast?",
    "The library extended its opening hours for the exam period.",
    "That was the best concert I have ever heard!",
    "Remember to water the plants while I am away.",
    "The bridge will be repainted over the summer.",
    "Would you like a window seat or an aisle seat?",
    "He reads the newspaper with his coffee every day.",
    "Congratulations on your new job!",
    "The children built a sandcastle near the water.",
    "Thank you for calling, how can I help you today.",
    "Did the package arrive before the weekend?",
    "The recipe needs two cups of flour and a pinch of salt.",
    "Hurry up, the movie starts in five minutes!",
    "A light breeze came in through the open window.",
    "The orchestra rehearses in the old town hall.",
    "Are you coming to the meeting this afternoon?",
    "The garden path is lined with lavender and roses.",
    "What a beautiful view from the top of the hill!",
    "The last bus to the airport leaves at midnight.",
    "Our team finished the project ahead of schedule.",
    "Where did you park the car this morning?",
    "The bakery on the corner sells the best croissants in town.",
    "Happy birthday, and many happy returns!",
    "Please turn off the lights when you leave the room.",
    "The river flows quietly past the old mill.",
    "Can we reschedule our call to Thursday?",
    "The hotel offers a free shuttle to the city centre.",
    "Look at all those stars tonight!",
    "The ferry crosses the bay every half hour.",
)

PHRASES = (
    "book a table for two at seven",
    "turn on the kitchen lights",
    "what is the weather like tomorrow",
    "play some relaxing music",
    "set a timer for ten minutes",
    "call the front desk please",
    "show me the train times to the airport",
    "add milk and eggs to my shopping list",
)


_OPENERS = (
    "honestly",
    "today",
    "later",
    "again",
    "meanwhile",
    "luckily",
    "anyway",
    "indeed",
    "still",
    "then",
    "also",
    "perhaps",
    "sometimes",
    "usually",
    "finally",
    "besides",
    "naturally",
    "clearly",
    "apparently",
    "certainly",
)


def sentence(i: int) -> str:
    """The ``i``-th sentence; past the bank, openers keep every sentence unique."""
    base = SENTENCES[i % len(SENTENCES)]
    q = i // len(SENTENCES)
    if not q:
        return base
    words = []
    while q:
        q, d = divmod(q, len(_OPENERS))
        words.append(_OPENERS[d])
    opener = " ".join(words).capitalize()
    return f"{opener}, {base[0].lower()}{base[1:]}"


PRONUNCIATIONS = (
    ("3CPO", "three c p o"),
    ("CNTK", "c n t k"),
    ("IEEE", "i triple e"),
    ("NASA", "nasa"),
    ("SQL", "sequel"),
    ("GIF", "jif"),
    ("AI", "a i"),
    ("URL", "u r l"),
    ("HTTP", "h t t p"),
    ("USB", "u s b"),
)
CONSENT_STATEMENT = (
    "I Jordan Avery am aware that recordings of my voice will be used by "
    "Contoso to create and use a synthetic version of my voice."
)


def markdown_lines(n: int) -> list[str]:
    """A small structured-text document with two lists, a lexicon and ``n`` sentences."""
    return [
        "// Hotel booking phrases",
        "@ list hotel =",
        "- Fairmont",
        "- Westin",
        "- Marriott",
        "",
        "@ list roomType =",
        "- king",
        "- queen",
        "- suite",
        "",
        "@ speech:phoneticlexicon",
        "- cat/k ae t",
        "- fish/f ih sh",
        "",
        "# bookings",
        *(
            f"- {'book a {@roomType} at {@hotel}' if i % 2 else PHRASES[i % len(PHRASES)]}"
            for i in range(n)
        ),
    ]


def formatting_lines(n: int) -> list[str]:
    """An output formatting document with each of the four sections."""
    return [
        "#itn",
        "- three point five",
        "#rewrite",
        "Contoso\tCONTOSO",
        "wifi\tWi-Fi",
        "#profanity",
        *(f"badword{chr(97 + i)}" for i in range(n)),
        "#test",
        "send it to contoso\tSend it to CONTOSO.",
    ]
