"""The EMDR protocol's words: its phases, the assessment's steps, why a score is asked, how a
session closes, what follows a set (pure data, no models)."""

EMDR_PHASES = {
    1: "History",
    2: "Preparation",
    3: "Assessment",
    4: "Desensitisation",
    5: "Installation",
    6: "Body scan",
    7: "Closure",
    8: "Re-evaluation",
}

# A score asked for a step of the protocol rather than after a set of processing: the
# assessment (phase 3, it fills the target's VOC or SUD), the re-evaluation of a target, or the
# VOC checks of installation (phase 5, until the VOC stops rising).
SCORE_PURPOSES = {
    "assessment": "Assessment",
    "reevaluation": "Re-evaluation",
    "installation": "Installation",
}
# How a session closed (phase 7).
CLOSURES = {"complete": "Complete", "incomplete": "Incomplete", "contained": "Contained"}
MAX_RESUME_NOTE = 500
# The therapist's choice after a set of processing (phase 4), kept with the set.
NEXT_STEPS = {"go_on": "Go on", "back_to_target": "Back to target", "close": "Close"}

# Phase 3 on the panel: the assessment's steps in the standard order, each with the standard
# words to read out (after Shapiro's protocol); VOC and SUD may be asked on the client's screen.
ASSESSMENT_STEPS = (
    {
        "name": "image",
        "label": "1. Image",
        "words": "What picture represents the worst part of the incident?",
    },
    {
        "name": "negative_cognition",
        "label": "2. Negative cognition (NC)",
        "words": "What words go best with the picture that express your negative belief about "
        "yourself now?",
    },
    {
        "name": "positive_cognition",
        "label": "3. Positive cognition (PC)",
        "words": "When you bring up that picture, what would you like to believe about "
        "yourself now?",
    },
    {
        "name": "voc",
        "label": "4. VOC (1–7)",
        "words": "When you think of the incident, how true do those words (the PC) feel to you now "
        "on a scale of 1 to 7, where 1 feels completely false and 7 feels completely true?",
        "score": True,
        "low": 1,
        "high": 7,
    },
    {
        "name": "emotions",
        "label": "5. Emotions",
        "words": "When you bring up the picture and those words (the NC), what emotion do you "
        "feel now?",
    },
    {
        "name": "sud",
        "label": "6. SUD (0–10)",
        "words": "On a scale of 0 to 10, where 0 is no disturbance or neutral and 10 is the "
        "highest disturbance you can imagine, how disturbing does it feel to you now?",
        "score": True,
        "low": 0,
        "high": 10,
    },
    {
        "name": "body_location",
        "label": "7. Body location",
        "words": "Where do you feel it in your body?",
    },
)
