"""One process, many commands: boto3 sessions share the parsed service models."""

from __future__ import annotations

from typing import Any, cast

import pytest

from hako_py.aws.clients import new_session


def test_sessions_share_the_data_loader_and_keep_its_search_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    first = new_session(region="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    loader = first._session.get_component("data_loader")
    paths = list(loader.search_paths)
    for _ in range(3):
        again = new_session(region="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s")
        assert again._session.get_component("data_loader") is loader
        assert again.region_name == "eu-west-1"
    assert loader.search_paths == paths  # boto3's data folder is not appended once per session
    assert any(path.endswith("boto3/data") for path in paths)
    client = again.client("ecs", endpoint_url="http://127.0.0.1:9")
    assert client.meta.region_name == "eu-west-1"
    assert cast(Any, client)._request_signer._credentials.access_key == "k"


def test_another_data_path_gets_its_own_loader(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    plain = new_session(aws_access_key_id="k", aws_secret_access_key="s")._session.get_component("data_loader")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    other = new_session(aws_access_key_id="k", aws_secret_access_key="s")._session.get_component("data_loader")
    assert other is not plain
    assert str(tmp_path) in other.search_paths
