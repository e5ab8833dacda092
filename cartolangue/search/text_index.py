"""Full-text matching of the search index: which courses' search text contains a word.

The texts are split into whitespace tokens, each token listing the courses that hold it. A query word (no
whitespace) is a substring of a text if and only if it is a substring of one of its tokens, so matching a
word is a scan of the vocabulary (a few tens of thousands of tokens), not of every text: `contains`
semantics, exactly. Masks are memoised per index.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

TEXT_CACHE_SIZE = 512


class TextIndex:
    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.size = len(texts)
        self._lock = threading.Lock()
        self._postings: tuple[str, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def mask(self, word: str) -> np.ndarray:
        """The courses whose text contains `word` (already normalised)."""
        with self._lock:
            if word in self._cache:
                self._cache.move_to_end(word)
                return self._cache[word]
        if re.search(r"\s", word):
            # Only a word that folding turned into several (rare) can span tokens: scan the texts themselves.
            mask = np.fromiter((word in t for t in self.texts), dtype=bool, count=self.size)
        else:
            vocabulary, starts, pointers, courses = self.postings()
            mask = np.zeros(self.size, dtype=bool)
            found = [m.start() for m in re.finditer(re.escape(word), vocabulary)]
            for token in set((np.searchsorted(starts, found, side="right") - 1).tolist()):
                mask[courses[pointers[token] : pointers[token + 1]]] = True
        with self._lock:
            self._cache[word] = mask
            while len(self._cache) > TEXT_CACHE_SIZE:
                self._cache.popitem(last=False)
        return mask

    def postings(self) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
        """(vocabulary: the tokens joined by newlines, each token's start in it, each token's first entry in
        `courses`, the course positions grouped by token), built at the first use."""
        if self._postings is None:
            token_ids: dict[str, int] = {}
            course_tokens: list[int] = []
            lengths = np.zeros(self.size, dtype=np.int64)
            for position, text in enumerate(self.texts):
                ids = {token_ids.setdefault(t, len(token_ids)) for t in text.split()}
                course_tokens.extend(ids)
                lengths[position] = len(ids)
            tokens = np.array(course_tokens, dtype=np.int64)
            courses = np.repeat(np.arange(self.size, dtype=np.int32), lengths)
            order = np.argsort(tokens, kind="stable")
            pointers = np.zeros(len(token_ids) + 1, dtype=np.int64)
            np.cumsum(np.bincount(tokens, minlength=len(token_ids)), out=pointers[1:])
            vocabulary = "\n".join(token_ids)  # insertion order = token id
            starts = np.zeros(len(token_ids), dtype=np.int64)
            if token_ids:
                starts[1:] = np.cumsum([len(t) + 1 for t in token_ids])[:-1]
            self._postings = (vocabulary, starts, pointers, courses[order])
        return self._postings
