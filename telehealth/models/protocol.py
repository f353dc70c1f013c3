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
# VOC checks of installation (phase 5, until the VOC stops rising), or the SUD asked when the
# therapist takes the client back to target after a set (phase 4).
SCORE_PURPOSES = {
    "assessment": "Assessment",
    "reevaluation": "Re-evaluation",
    "installation": "Installation",
    "back_to_target": "Back to target",
}
# How a session closed (phase 7).
CLOSURES = {"complete": "Complete", "incomplete": "Incomplete", "contained": "Contained"}
MAX_RESUME_NOTE = 500
# The therapist's choice after a set of processing (phase 4), kept with the set.
NEXT_STEPS = {"go_on": "Go on", "back_to_target": "Back to target", "close": "Close"}
# Back to target: the words to read out as the client's SUD is asked on their screen.
BACK_TO_TARGET_WORDS = (
    "Go back to the original memory. What do you get now? On a scale of 0 to 10, how disturbing "
    "does it feel to you now?"
)

# The body scan (phase 6), after installation: its words to read out and what it found, kept
# per session and target (session_target), with where and what a sensation was (encrypted).
BODY_SCAN_WORDS = (
    "Close your eyes, keep in mind the original memory and the positive cognition, and scan "
    "your body from top to bottom. Tell me anything you notice."
)
BODY_SCAN_RESULTS = {"clear": "Clear", "sensation": "Sensation noticed"}
MAX_BODY_SCAN_NOTE = 300

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
