"""The evidence for each history section (named in `medgrade_shared.models.vocabulary`):
explicit headings and topic phrases.

Phrase weights: 3 for a phrase that by itself names the topic ("do you smoke"); 4 for one
that must also outweigh a strong phrase of another topic in the same question ("allergic to
any medication"); 1 for a phrase that only hints at it ("fever" may be a review of systems
or part of the history of the complaint). Segmentation needs the hints of a topic to add up
before it opens a section, so a single hint inside another topic does not.

The phrase lists were extended by hand from the words that tell the sections apart in the
MTS-Dialog training file (its validation file untouched); ``benchmarks/eval_segmentation.py``
measures them on both.
"""

from __future__ import annotations

from medgrade_shared.models.vocabulary import SUMMARY_SECTION

OPENING = "CC"
COMPLAINT = "HPI"  # the history of the presenting complaint: what talk about the complaint belongs to

HEADINGS: dict[str, tuple[str, ...]] = {
    "CC": ("chief complaint", "presenting complaint", "reason for visit", "reason for attendance", "cc", "pc"),
    "HPI": ("history of present illness", "history of presenting illness", "history of presenting complaint",
            "history of the presenting complaint", "history of the present illness", "hpi", "hpc", "hopc"),
    "ROS": ("review of systems", "systems review", "system review", "systemic enquiry", "ros"),
    "PMH": ("past medical history", "medical history", "past history", "pmh", "pmhx"),
    "MEDS": ("medications", "medication", "current medications", "meds", "drug history", "dh"),
    "ALLERGIES": ("allergies", "allergy", "drug allergies"),
    "SH": ("social history", "sh", "shx"),
    "FH": ("family history", "fh", "fhx"),
    SUMMARY_SECTION: ("summary", "assessment", "assessment and plan", "impression", "conclusion"),
}
# Spoken openings of a summary: a section start without a colon after them.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    SUMMARY_SECTION: ("in summary", "to summarise", "to summarize", "to recap", "in conclusion", "to sum up",
              "in short", "let me summarise", "let me summarize"),
}

SPECIFIC, STRONG, HINT = 4.0, 3.0, 1.0
# Words that start a summary; other summary evidence ("diagnosis") only keeps one going.
SUMMARY_CUES = ("summarise", "summarize", "summary", "recap", "sum up")
PHRASES: dict[str, dict[str, float]] = {
    "CC": {
        "what brings you": STRONG, "brings you in": STRONG, "brought you in": STRONG, "brings you here": STRONG,
        "brought you here": STRONG, "how can i help": STRONG, "how can we help": STRONG,
        "what can i do for you": STRONG, "what seems to be the problem": STRONG, "what's the problem": STRONG,
        "what's been going on": HINT, "presenting with": STRONG, "presents with": STRONG,
        "presented with": STRONG, "complaining of": STRONG, "came in with": STRONG, "main problem": STRONG,
        "what's going on": STRONG, "going on with you": STRONG, "what brings": STRONG, "here today": HINT,
        "in today": HINT, "your name": HINT, "how old are you": HINT, "your age": HINT, "date of birth": HINT,
    },
    "HPI": {
        "when did it start": STRONG, "when did this start": STRONG, "when did the": HINT, "when did you first": 2.0,
        "how long": HINT, "started": HINT, "began": HINT, "ago": HINT, "describe": HINT, "where is the pain": 2.0,
        "whereabouts": HINT, "worse": HINT, "better": HINT, "radiate": HINT, "radiates": HINT, "radiating": HINT,
        "spread": HINT, "move anywhere": HINT, "come and go": HINT, "comes and goes": HINT, "constant": HINT,
        "how bad": HINT, "out of 10": HINT, "out of ten": HINT, "scale": HINT, "how severe": HINT,
        "severity": HINT, "suddenly": HINT, "sudden": HINT, "gradually": HINT, "onset": HINT, "trigger": HINT,
        "what were you doing": HINT, "how often": HINT, "how many times": HINT, "first noticed": HINT,
        "tried anything": HINT, "anything like this before": HINT, "episode": HINT, "episodes": HINT,
        "with it": HINT, "with the pain": HINT, "along with": HINT,  # symptoms associated with the complaint
        "symptoms": HINT, "this pain": 2.0, "getting worse": HINT, "happened": HINT,
        "last night": HINT, "this morning": HINT, "for the past": HINT, "tell me more": HINT,
    },
    "ROS": {
        "review of systems": STRONG, "systems review": STRONG, "any other symptoms": STRONG,
        "other symptoms": 2.0, "head to toe": STRONG, "fever": HINT, "fevers": HINT, "feverish": HINT,
        "temperature": HINT, "chills": HINT, "night sweats": HINT, "sweats": HINT, "weight loss": HINT,
        "lost weight": HINT, "appetite": HINT, "cough": HINT, "short of breath": HINT,
        "shortness of breath": HINT, "breathless": HINT, "chest pain": HINT, "palpitations": HINT,
        "nausea": HINT, "vomiting": HINT, "diarrhoea": HINT, "diarrhea": HINT, "constipation": HINT,
        "bowels": HINT, "waterworks": HINT, "urine": HINT, "urinary": HINT, "headache": HINT,
        "headaches": HINT, "dizzy": HINT, "dizziness": HINT, "rash": HINT, "rashes": HINT, "numbness": HINT,
        "tingling": HINT, "vision": HINT, "fatigue": HINT, "tiredness": HINT, "joint pain": HINT,
        "blood in": HINT, "stool": HINT, "stools": HINT, "sputum": HINT, "bowel movements": HINT,
        "wheezing": HINT, "sore throat": HINT, "swelling": HINT, "hearing": HINT, "frequency": HINT,
        "any changes in": 2.0, "nothing like that": HINT,
        "sleep": HINT, "sleeping": HINT, "mood": HINT, "tremor": HINT, "tremors": HINT,
        "blacked out": HINT, "passed out": HINT, "fainted": HINT, "difficulty breathing": HINT, "wheeze": HINT,
        "itching": HINT, "bruising": HINT, "bleeding": HINT, "discharge": HINT, "weight gain": HINT,
    },
    "PMH": {
        "medical history": STRONG, "past medical": STRONG, "medical problems": STRONG,
        "medical conditions": STRONG, "health problems": STRONG, "other conditions": STRONG,
        "any conditions": STRONG, "long term conditions": STRONG, "operations": STRONG, "operation": STRONG,
        "surgery": STRONG, "surgeries": STRONG, "been in hospital": STRONG, "admitted to hospital": STRONG,
        "hospital admissions": STRONG, "past history": STRONG, "diagnosed with": 2.0, "history of": HINT,
        "diabetes": HINT, "blood pressure": HINT, "asthma": HINT, "epilepsy": HINT, "heart problems": HINT,
        "cholesterol": HINT, "fit and well": STRONG, "general health": STRONG, "overall health": STRONG,
        "had surgery": STRONG, "any surgeries": STRONG, "surgical history": STRONG, "chronic": HINT,
        "appendix": HINT, "gallbladder": HINT, "hysterectomy": 2.0, "c section": 2.0, "removed": HINT,
        "diagnosed": HINT, "ever had": HINT, "depression": HINT, "in the past": HINT, "thyroid": HINT,
        "conditions": HINT,
        "health conditions": STRONG, "should know about": HINT, "cancer": HINT, "anemia": HINT,
        "hepatitis": HINT, "arthritis": HINT, "copd": HINT, "heart disease": HINT, "kidney disease": HINT,
        "should be aware of": HINT, "replacement": HINT, "pregnancy": HINT, "delivery": HINT,
        "childhood": HINT, "seizures": HINT, "stroke before": 2.0,
    },
    "MEDS": {
        "medication": STRONG, "medications": STRONG, "medicine": STRONG, "medicines": STRONG,
        "tablets": STRONG, "pills": STRONG, "taking anything": STRONG, "take anything": STRONG,
        "prescribed": STRONG, "prescription": STRONG, "over the counter": STRONG, "drug history": STRONG,
        "inhaler": 2.0, "takes": 2.0, "regular": HINT,
        "meds": STRONG, "currently taking": STRONG, "i take": 2.0, "you taking": 2.0, "taking any": 2.0,
        "as needed": 2.0, "once a day": HINT, "twice a day": HINT, "a day": HINT, "daily": HINT, "mg": HINT,
        "m g": HINT, "dose": HINT,
        "insulin": HINT, "vitamins": 2.0, "supplements": 2.0, "refill": 2.0,
    },
    "ALLERGIES": {
        "allergy": SPECIFIC, "allergies": SPECIFIC, "allergic": SPECIFIC, "nkda": SPECIFIC, "reactions to": 2.0,
    },
    "SH": {
        "smoke": STRONG, "smoker": STRONG, "smokes": STRONG, "smoking": STRONG, "smoked": STRONG,
        "cigarettes": STRONG, "alcohol": STRONG, "do you drink": STRONG, "drink": HINT, "drinks": HINT,
        "drinking": HINT, "units": HINT, "working": HINT, "currently working": STRONG,
        "recreational": STRONG, "drugs": 2.0, "live with": STRONG, "lives with": STRONG, "living with": 2.0,
        "at home": HINT, "who's at home": STRONG, "do you work": STRONG, "for a living": STRONG,
        "works as": STRONG, "occupation": STRONG, "what do you do": 2.0, "job": 2.0, "work": HINT,
        "exercise": HINT, "diet": HINT, "drive": HINT, "social history": STRONG, "independent": HINT,
        "married": HINT, "partner": HINT,
        "tobacco": STRONG, "retired": STRONG, "illicit": STRONG, "pack": 2.0, "packs": 2.0, "i drink": 2.0,
        "don't drink": 2.0, "i smoke": STRONG, "live alone": STRONG, "alone": HINT, "children": HINT,
        "kids": HINT, "you married": STRONG, "marijuana": STRONG, "beer": 2.0, "wine": 2.0, "caffeine": 2.0,
        "school": HINT, "grade": HINT, "sports": HINT, "hobbies": STRONG, "employed": 2.0, "coffee": HINT,
        "sexually active": STRONG, "sexual": 2.0, "relationship": HINT, "wife": HINT, "husband": HINT,
        "divorced": 2.0, "widow": 2.0, "widowed": 2.0, "marriage": 2.0, "nursing home": 2.0, "facility": HINT,
        "where do you live": STRONG, "foster": 2.0,
    },
    "FH": {
        "family history": STRONG, "in the family": STRONG, "in your family": STRONG, "family members": STRONG,
        "anyone in your family": STRONG, "mother had": STRONG, "father had": STRONG, "mum had": STRONG,
        "dad had": STRONG, "relatives": STRONG, "family": 2.0, "parents": HINT, "siblings": HINT,
        "brother": HINT, "sister": HINT,
        "run in": 2.0, "runs in": 2.0, "passed away": 2.0, "died": HINT, "my dad": 2.0, "my mom": 2.0,
        "my father": 2.0, "my mother": 2.0, "grandmother": 2.0, "grandfather": 2.0,
        "family medical history": SPECIFIC, "family's medical history": SPECIFIC, "family's": 2.0,
        "my family": 2.0, "hereditary": STRONG, "genetic": HINT,
        "running in": 2.0, "dad's side": STRONG, "mom's side": STRONG, "mum's side": STRONG,
        "father's side": STRONG, "mother's side": STRONG,
    },
    SUMMARY_SECTION: {
        **dict.fromkeys(SUMMARY_CUES, SPECIFIC), "differential": 2.0, "differentials": 2.0, "my impression": 2.0,
        "diagnosis": 2.0, "the plan": 2.0,
    },
}
