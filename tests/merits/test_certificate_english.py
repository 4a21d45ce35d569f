"""The certificate's English translation carries the optional sections chosen at issue
(training, commendations, evaluations) from the same frozen snapshot, the closed-list words
(training type and mode, commendation level) in English, and says when a chosen one is empty."""
from tests.i18n.textscan import chinese_in
from tests.merits.test_certificate import _issue, _person_with_merits
from volunteer.merits import services


def _english(client, cert):
    response = client.get(f"/certificates/{cert.id}/english")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_translation_carries_every_chosen_section(client, login_as):
    person = _person_with_merits()
    login_as("office")
    cert = _issue(client, person, with_training="y", with_commendations="y", with_evaluations="y")
    html = _english(client, cert)
    for section in ("translation-training", "translation-commendations", "translation-evaluations"):
        assert f'id="{section}"' in html
    assert "急救培训" in html and "去年的培训" not in html  # the period's training only, as frozen
    assert "General" in html and "In person" in html and "3 hours" in html.replace("3.0", "3")
    assert "优秀志愿者" in html and "District" in html and "长宁区文明办" in html
    assert "service evaluations" in html and "Punctuality" in html and "热心" in html
    # Names and comments stay as entered (marked Chinese); the translation has no other Chinese text.
    article = html[html.index('<article'):html.index('</article>')]
    assert not chinese_in(article, data=["急救培训", "优秀志愿者", "长宁区文明办", "热心", "敬老院探访", person.name])


def test_translation_says_a_chosen_section_is_empty_and_leaves_out_the_unchosen(client, login_as):
    person = _person_with_merits()
    office = login_as("office")
    services.void_commendation(office, services.queries.commendations_of(person.id)[0], "误登")
    from volunteer.extensions import db
    db.session.commit()
    cert = _issue(client, person, with_commendations="y")
    html = _english(client, cert)
    assert "No commendations in the period." in html
    assert 'id="translation-training"' not in html and 'id="translation-evaluations"' not in html


def test_a_later_void_does_not_change_the_translation(client, login_as):
    person = _person_with_merits()
    office = login_as("office")
    cert = _issue(client, person, with_commendations="y")
    services.void_commendation(office, services.queries.commendations_of(person.id)[0], "误登")
    from volunteer.extensions import db
    db.session.commit()
    assert "优秀志愿者" in _english(client, cert)
