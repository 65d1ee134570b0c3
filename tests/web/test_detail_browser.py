"""Detail pages in Chromium: the related panels stand beside the fields on a laptop and below
them on a phone, and the empty fields open from their disclosure."""

from __future__ import annotations

import pytest

from tests.web.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"
BOXES = """() => {
  const box = el => document.querySelector(el).getBoundingClientRect();
  const fields = box('.detail-layout > div'), panels = box('.related-panels');
  return {fieldsRight: fields.right, fieldsBottom: fields.bottom,
          panelsLeft: panels.left, panelsTop: panels.top};
}"""


@pytest.mark.parametrize(("width", "beside"), [(1440, True), (390, False)])
def test_panels_beside_on_a_laptop_and_below_on_a_phone(
    browser, live_server, make_user, engine, make_model, width, beside
):
    make_user("boss", superuser=True, password=PASSWORD)
    model = make_model("placed", capabilities="chat")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server, "boss", PASSWORD)
        page.goto(f"{live_server.url}/models/{model['id']}/")
        boxes = page.evaluate(BOXES)
        if beside:
            assert boxes["panelsLeft"] >= boxes["fieldsRight"] - 1, boxes
            assert boxes["panelsTop"] < boxes["fieldsBottom"], boxes
        else:
            assert boxes["panelsTop"] >= boxes["fieldsBottom"] - 1, boxes
        empty = page.locator("[data-testid=empty-fields]")
        assert not page.is_visible("[data-testid=empty-fields] tr[data-field=model_path]")
        empty.locator("summary").click()
        assert page.is_visible("[data-testid=empty-fields] tr[data-field=model_path]")
        label = page.locator("tr[data-field=vram_required_mb] th span")
        assert label.get_attribute("title") == "API field: vram_required_mb"
    finally:
        context.close()
