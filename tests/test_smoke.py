def test_home_page_renders(client, create_store, create_product):
    store = create_store()
    create_product(store, name="Nasi Uduk Betawi")
    response = client.get("/")
    assert response.status_code == 200
    assert "Nasi Uduk Betawi" in response.get_data(as_text=True)
