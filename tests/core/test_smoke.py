def test_home_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True) or "Sign in" in response.get_data(as_text=True)
