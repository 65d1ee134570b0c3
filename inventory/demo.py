"""A realistic demo inventory, written through the same services as every other door."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import AvailableModel, Engine, RegisteredModel
from .services import SERVICES, update_knowledge_config

ENGINES: list[dict[str, Any]] = [
    {
        "name": "ollama-workstation",
        "provider": "ollama",
        "status": "active",
        "supported": True,
        "config": {"base_url": "http://127.0.0.1:11434", "keep_alive": "5m"},
    },
    {
        "name": "llamacpp-gpu0",
        "provider": "llamacpp",
        "status": "active",
        "supported": True,
        "config": {"binary": "/opt/llama.cpp/llama-server", "n_gpu_layers": 99, "ctx_size": 8192},
    },
    {
        "name": "vllm-a100",
        "provider": "vllm",
        "status": "installed",
        "supported": True,
        "config": {"tensor_parallel_size": 2, "gpu_memory_utilization": 0.9},
    },
    {
        "name": "whisper-cpu",
        "provider": "whisper_cpp",
        "status": "active",
        "supported": True,
        "config": {"threads": 8},
    },
    {
        "name": "piper-tts",
        "provider": "piper",
        "status": "installed",
        "supported": True,
        "config": {},
    },
    {
        "name": "tei-embeddings",
        "provider": "tei",
        "status": "active",
        "supported": True,
        "config": {"max_batch_tokens": 16384},
    },
    {
        "name": "onnx-vision",
        "provider": "onnxruntime",
        "status": "error",
        "supported": False,
        "config": {"execution_provider": "CUDAExecutionProvider"},
    },
    {
        "name": "openai-proxy",
        "provider": "openai",
        "status": "uninstalled",
        "supported": False,
        "config": {"base_url": "https://api.openai.com/v1"},
    },
]

CHAT_DEFAULTS = {"temperature": 0.7, "top_p": 0.9, "max_tokens": 1024}


def _catalog(
    name: str,
    family: str,
    fmt: str,
    capabilities: str,
    *,
    vram: int,
    ram: int,
    source: str = "huggingface",
    hint: str = "",
    version: str = "",
    summary: str = "",
    extra: dict | None = None,
    tags: str = "",
) -> dict[str, Any]:
    repo = name.split(":")[0]
    return {
        "name": name,
        "family": family,
        "format": fmt,
        "capabilities": capabilities,
        "source_kind": source,
        "provider_hint": hint,
        "version": version,
        "quantization": version if fmt == "gguf" else "",  # GGUF versions name the quant
        "summary": summary,
        "remote_url": f"https://huggingface.co/{repo}" if source == "huggingface" else "",
        "storage_ref": f"models/{repo.split('/')[-1].lower()}"
        if fmt in {"gguf", "onnx", "pt"}
        else "",
        "requirements": {"vram_mb": vram, "ram_mb": ram},
        "extra_config": extra or {},
        "tags": tags,
    }


CATALOG: list[dict[str, Any]] = [
    _catalog(
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        "llama",
        "gguf",
        "chat,tool_calling,offline",
        vram=6200,
        ram=8192,
        hint="llamacpp",
        version="Q4_K_M",
        summary="Llama 3.1 8B Instruct, 4-bit GGUF.",
        extra={"defaults": CHAT_DEFAULTS},
        tags="instruct,8b",
    ),
    _catalog(
        "Qwen/Qwen2.5-7B-Instruct-GGUF",
        "qwen",
        "gguf",
        "chat,tool_calling,offline",
        vram=5800,
        ram=8192,
        hint="llamacpp",
        version="Q4_K_M",
        summary="Qwen2.5 7B Instruct.",
        extra={"defaults": CHAT_DEFAULTS},
    ),
    _catalog(
        "TheBloke/Mistral-7B-Instruct-v0.2-GGUF",
        "mistral",
        "gguf",
        "chat,offline",
        vram=5100,
        ram=8192,
        hint="llamacpp",
        version="Q4_K_M",
    ),
    _catalog(
        "microsoft/Phi-3-mini-4k-instruct-gguf",
        "phi",
        "gguf",
        "chat,cpu_friendly,offline",
        vram=2400,
        ram=4096,
        hint="llamacpp",
        version="q4",
    ),
    _catalog(
        "bartowski/gemma-2-9b-it-GGUF",
        "gemma",
        "gguf",
        "chat,offline",
        vram=6800,
        ram=12288,
        hint="llamacpp",
        version="Q4_K_M",
    ),
    _catalog(
        "bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF",
        "deepseek",
        "gguf",
        "chat,reasoning,offline",
        vram=5800,
        ram=8192,
        hint="llamacpp",
        version="Q4_K_M",
        extra={"defaults": {"temperature": 0.6, "reasoning_parser": "deepseek_r1"}},
    ),
    _catalog(
        "llama3.1:8b",
        "llama",
        "remote",
        "chat,tool_calling",
        vram=5500,
        ram=8192,
        source="provider_api",
        hint="ollama",
        version="8b",
    ),
    _catalog(
        "qwen2.5-coder:7b",
        "qwen",
        "remote",
        "chat",
        vram=5200,
        ram=8192,
        source="provider_api",
        hint="ollama",
        version="7b",
    ),
    _catalog(
        "llava:13b",
        "llava",
        "remote",
        "chat,image_to_text",
        vram=9800,
        ram=16384,
        source="provider_api",
        hint="ollama",
        version="13b",
    ),
    _catalog(
        "nomic-embed-text",
        "nomic",
        "remote",
        "embedding,offline",
        vram=600,
        ram=1024,
        source="provider_api",
        hint="ollama",
        version="v1.5",
        extra={"dim": 768},
    ),
    _catalog(
        "mxbai-embed-large",
        "mixedbread",
        "remote",
        "embedding,offline",
        vram=1300,
        ram=2048,
        source="provider_api",
        hint="ollama",
        version="v1",
        extra={"dim": 1024},
    ),
    _catalog(
        "meta-llama/Llama-3.1-70B-Instruct",
        "llama",
        "hf_snapshot",
        "chat,tool_calling,high_throughput",
        vram=148000,
        ram=65536,
        hint="vllm",
        summary="Served with tensor parallelism.",
        extra={"defaults": {"max_tokens": 4096}},
    ),
    _catalog(
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "mistral",
        "hf_snapshot",
        "chat,high_throughput",
        vram=94000,
        ram=65536,
        hint="vllm",
    ),
    _catalog(
        "Qwen/Qwen2-VL-7B-Instruct",
        "qwen",
        "hf_snapshot",
        "chat,image_to_text",
        vram=17000,
        ram=32768,
        hint="vllm",
    ),
    _catalog(
        "BAAI/bge-m3",
        "bge",
        "hf_snapshot",
        "embedding",
        vram=2300,
        ram=4096,
        hint="tei",
        extra={"dim": 1024},
    ),
    _catalog(
        "sentence-transformers/all-MiniLM-L6-v2",
        "minilm",
        "onnx",
        "embedding,cpu_friendly,offline",
        vram=0,
        ram=512,
        extra={"dim": 384},
    ),
    _catalog(
        "intfloat/e5-large-v2",
        "e5",
        "hf_snapshot",
        "embedding",
        vram=1400,
        ram=4096,
        hint="tei",
        extra={"dim": 1024},
    ),
    _catalog(
        "BAAI/bge-reranker-v2-m3",
        "bge",
        "hf_snapshot",
        "reranking",
        vram=2300,
        ram=4096,
        hint="tei",
    ),
    _catalog(
        "cross-encoder/ms-marco-MiniLM-L-6-v2",
        "minilm",
        "onnx",
        "reranking,cpu_friendly",
        vram=0,
        ram=512,
    ),
    _catalog(
        "ggerganov/whisper.cpp:ggml-large-v3",
        "whisper",
        "pt",
        "stt,audio,offline",
        vram=3900,
        ram=4096,
        hint="whisper_cpp",
        version="large-v3",
    ),
    _catalog(
        "ggerganov/whisper.cpp:ggml-base.en",
        "whisper",
        "pt",
        "stt,audio,cpu_friendly,offline",
        vram=0,
        ram=512,
        hint="whisper_cpp",
        version="base.en",
    ),
    _catalog(
        "distil-whisper/distil-large-v3", "whisper", "hf_snapshot", "stt,audio", vram=2000, ram=4096
    ),
    _catalog(
        "rhasspy/piper-voices:en_US-lessac-medium",
        "piper",
        "onnx",
        "tts,audio,cpu_friendly,offline",
        vram=0,
        ram=256,
        hint="piper",
        version="medium",
    ),
    _catalog("hexgrad/Kokoro-82M", "kokoro", "pt", "tts,audio", vram=800, ram=1024),
    _catalog(
        "Ultralytics/YOLOv8:yolov8n",
        "yolo",
        "onnx",
        "detection,cpu_friendly",
        vram=0,
        ram=512,
        hint="onnxruntime",
        version="8.0",
    ),
    _catalog("facebook/detr-resnet-50", "detr", "pt", "detection", vram=1600, ram=2048),
    _catalog("urchade/gliner_multi-v2.1", "gliner", "pt", "token_extraction", vram=1200, ram=2048),
    _catalog(
        "dslim/bert-base-NER", "bert", "onnx", "token_extraction,cpu_friendly", vram=0, ram=512
    ),
    _catalog(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "distilbert",
        "onnx",
        "classification,cpu_friendly",
        vram=0,
        ram=512,
    ),
    _catalog("Babelscape/rebel-large", "bart", "pt", "triples_extractor", vram=1800, ram=4096),
    _catalog(
        "openai/gpt-4o-mini",
        "gpt",
        "remote",
        "chat,tool_calling,image_to_text",
        vram=0,
        ram=0,
        source="provider_api",
        hint="openai",
    ),
    _catalog(
        "openai/text-embedding-3-small",
        "gpt",
        "remote",
        "embedding",
        vram=0,
        ram=0,
        source="provider_api",
        hint="openai",
        extra={"dim": 1536},
    ),
]

# (catalog name, engine name, registered name, status, downloaded)
REGISTRATIONS: list[tuple[str, str, str, str, bool]] = [
    (
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        "llamacpp-gpu0",
        "llama3.1-8b-instruct-q4",
        "active",
        True,
    ),
    ("Qwen/Qwen2.5-7B-Instruct-GGUF", "llamacpp-gpu0", "qwen2.5-7b-instruct-q4", "available", True),
    ("microsoft/Phi-3-mini-4k-instruct-gguf", "llamacpp-gpu0", "phi3-mini-q4", "available", True),
    (
        "bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF",
        "llamacpp-gpu0",
        "deepseek-r1-qwen-7b",
        "downloading",
        False,
    ),
    ("llama3.1:8b", "ollama-workstation", "llama3.1-8b", "available", True),
    ("qwen2.5-coder:7b", "ollama-workstation", "qwen2.5-coder", "active", True),
    ("llava:13b", "ollama-workstation", "llava-13b", "available", False),
    ("nomic-embed-text", "ollama-workstation", "nomic-embed-text", "active", True),
    ("mxbai-embed-large", "ollama-workstation", "mxbai-embed-large", "available", True),
    ("meta-llama/Llama-3.1-70B-Instruct", "vllm-a100", "llama3.1-70b-instruct", "available", False),
    ("Qwen/Qwen2-VL-7B-Instruct", "vllm-a100", "qwen2-vl-7b", "disabled", True),
    ("BAAI/bge-m3", "tei-embeddings", "bge-m3", "active", True),
    ("intfloat/e5-large-v2", "tei-embeddings", "e5-large-v2", "available", True),
    ("BAAI/bge-reranker-v2-m3", "tei-embeddings", "bge-reranker-v2-m3", "active", True),
    ("ggerganov/whisper.cpp:ggml-large-v3", "whisper-cpu", "whisper-large-v3", "available", True),
    ("ggerganov/whisper.cpp:ggml-base.en", "whisper-cpu", "whisper-base-en", "active", True),
    (
        "rhasspy/piper-voices:en_US-lessac-medium",
        "piper-tts",
        "piper-en-us-lessac",
        "available",
        True,
    ),
    ("Ultralytics/YOLOv8:yolov8n", "onnx-vision", "yolov8n", "error", True),
    (
        "sentence-transformers/all-MiniLM-L6-v2",
        "onnx-vision",
        "all-minilm-l6-v2",
        "available",
        True,
    ),
    ("dslim/bert-base-NER", "onnx-vision", "bert-base-ner", "available", True),
]

KNOWLEDGE_MODEL = "nomic-embed-text"


def is_empty() -> bool:
    return not (
        Engine.objects.exists()
        or AvailableModel.objects.exists()
        or RegisteredModel.objects.exists()
    )


@transaction.atomic
def load() -> dict[str, int]:
    """Write the demo inventory; returns how many rows of each kind were created."""
    engines = {row["name"]: SERVICES["engine_registry"].create(row)["id"] for row in ENGINES}
    catalog = {row["name"]: SERVICES["available_model_registry"].create(row) for row in CATALOG}
    registered: dict[str, int] = {}
    for catalog_name, engine_name, name, status, downloaded in REGISTRATIONS:
        item = catalog[catalog_name]
        requirements = item["requirements"]
        row = SERVICES["model_registry"].create(
            {
                "name": name,
                "engine_id": engines[engine_name],
                "available_model_id": item["id"],
                "model_path": item["storage_ref"] or item["remote_url"] or item["name"],
                "vram_required_mb": requirements["vram_mb"],
                "ram_required_mb": requirements["ram_mb"],
                "is_downloaded": downloaded,
                "remote_url": item["remote_url"],
                "version": item["version"],
                "capabilities": item["capabilities"],
                "extra_config": item["extra_config"],
                "status": status,
            }
        )
        registered[name] = row["id"]
    update_knowledge_config({"enabled": True, "embedding_model_id": registered[KNOWLEDGE_MODEL]})
    return {"engines": len(engines), "catalog": len(catalog), "registered": len(registered)}
