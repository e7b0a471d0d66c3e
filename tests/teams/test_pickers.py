"""The person picker's fields (teams.pickers): how typed text becomes Slack ids, and the names
shown beside a prefilled field."""

import pytest
from django import forms

from teams.pickers import PeopleField, chosen_names

pytestmark = pytest.mark.django_db


def test_ids_separated_by_spaces_are_each_a_person():
    order = PeopleField(label="Order").clean("U_ALICE U_BOB, U_CARA")
    assert order == ["U_ALICE", "U_BOB", "U_CARA"]


def test_an_id_followed_by_a_word_is_read_as_a_name():
    with pytest.raises(forms.ValidationError) as refused:
        PeopleField(label="Order").clean("U_ALICE Bob")
    assert "Nobody called 'U_ALICE Bob'" in str(refused.value)


def test_the_names_shown_keep_the_id_of_someone_the_directory_does_not_name():
    assert chosen_names("U_ALICE, U_NOBODY") == "Alice Nguyen, U_NOBODY"


def test_no_name_is_shown_when_the_directory_names_nobody_in_the_field():
    assert chosen_names("U_NOBODY, U_NOONE") == ""


def test_the_picker_of_a_list_adds_each_pick_to_the_list():
    assert 'data-picker="multiple"' in PeopleField(label="Order").widget.render("order", "")
