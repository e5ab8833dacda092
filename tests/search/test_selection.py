"""The selection's parsing (`cartolangue.search.selection`), shared by the search page and the orientation sheet."""

import pytest
from django.utils import translation

from cartolangue.search.selection import (
    MAX_ID,
    MAX_SELECTION,
    SelectionError,
    course_ids,
    parse_selection,
    parse_sheet_selection,
)


def test_ids_are_read_from_repeated_and_comma_separated_values_in_order():
    assert course_ids(["1894,287", " 12 ,", "", "5"]) == [1894, 287, 12, 5]


@pytest.mark.parametrize("value", ["abc", "²", "0", "-3", "1.5", str(MAX_ID + 1), "٣"])
def test_an_invalid_id_gives_none_in_its_place(value):
    assert course_ids([f"4,{value},7"]) == [4, None, 7]


def test_the_largest_primary_key_is_an_id():
    assert course_ids([str(MAX_ID)]) == [MAX_ID]


def test_the_page_keeps_valid_ids_once_in_order_up_to_the_maximum():
    assert parse_selection(["3,abc,1", "3", "2"]) == [3, 1, 2]
    many = [str(i) for i in range(1, MAX_SELECTION + 5)]
    assert parse_selection(many) == list(range(1, MAX_SELECTION + 1))
    assert parse_selection([]) == []


def test_the_sheet_takes_the_ids_as_given():
    assert parse_sheet_selection(["5,2", "5"]) == [5, 2, 5]
    assert parse_sheet_selection([",".join(str(i) for i in range(1, MAX_SELECTION + 1))]) == list(
        range(1, MAX_SELECTION + 1)
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["1,abc"], "Identifiant de cours invalide."),
        ([], "Aucun cours choisi : ajoutez des cours à votre sélection."),
        ([" , "], "Aucun cours choisi : ajoutez des cours à votre sélection."),
        ([str(i) for i in range(1, MAX_SELECTION + 2)], f"Une sélection compte au plus {MAX_SELECTION} cours."),
    ],
)
def test_the_sheet_refuses_a_bad_selection_saying_why(values, message):
    with pytest.raises(SelectionError) as error:
        parse_sheet_selection(values)
    assert error.value.message == message


def test_the_sheet_error_is_in_the_person_s_language():
    with translation.override("en"), pytest.raises(SelectionError) as error:
        parse_sheet_selection(["abc"])
    assert error.value.message == "Invalid course identifier."
