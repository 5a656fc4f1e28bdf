"""Fitted objects <-> plain values that load without running code.

A saved sampler is a tree of tensors, dicts, lists, tuples, str, int, float,
bool and None: what ``torch.load(..., weights_only=True)`` accepts. Anything
else is described by a tagged dict ``{"$": kind, ...}`` and rebuilt from that
description: numpy arrays and scalars from their bytes and dtype string,
pandas dtypes and indexes from their parts, random generators from their
states, and instances of the classes registered with :func:`saveable` from
their attributes. No other class can be named by a file, so loading one never
calls anything a file chooses.
"""

import numpy as np
import pandas as pd
import torch

_CLASSES = {}
# The bit generators numpy's Generator may wrap; a file can name only these.
_BIT_GENERATORS = {
    cls.__name__: cls
    for cls in (
        np.random.PCG64,
        np.random.PCG64DXSM,
        np.random.Philox,
        np.random.SFC64,
        np.random.MT19937,
    )
}
_PLAIN = (bool, int, float, str, type(None), torch.Tensor)


def saveable(cls):
    """Let instances of ``cls`` be saved and loaded by :func:`encode`.

    An instance is saved as ``to_state()``, or as its attributes when the
    class has no such method, and rebuilt by the classmethod
    ``from_state(state)``, or by setting those attributes on an instance
    created without calling ``__init__``.
    """
    name = cls.__name__
    if _CLASSES.setdefault(name, cls) is not cls:
        raise ValueError(f"Another saveable class is already named {name!r}.")
    return cls


def encode(value):
    """Describe ``value`` with plain values; see the module docstring."""
    if isinstance(value, _PLAIN) and not isinstance(value, np.generic):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"$": "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if type(value) is tuple:
        return {"$": "tuple", "v": [encode(item) for item in value]}
    # By identity: another class of the same name would load as the registered one.
    if _CLASSES.get(type(value).__name__) is type(value):
        state = value.to_state() if hasattr(value, "to_state") else vars(value)
        return {"$": "object", "class": type(value).__name__, "v": encode(state)}
    for kind, (check, describe, _) in _KINDS.items():
        if check(value):
            return {"$": kind, **describe(value)}
    raise ValueError(
        f"Cannot save a value of type {type(value).__qualname__}: {value!r:.80}."
    )


def decode(value):
    """Rebuild the value that :func:`encode` described."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("$")
    if kind == "dict":
        return {decode(k): decode(v) for k, v in value["v"]}
    if kind == "tuple":
        return tuple(decode(item) for item in value["v"])
    if kind == "object":
        cls = _CLASSES.get(value["class"])
        if cls is None:
            raise ValueError(f"unknown class {value['class']!r}")
        state = decode(value["v"])
        if hasattr(cls, "from_state"):
            return cls.from_state(state)
        instance = object.__new__(cls)
        instance.__dict__.update(state)
        return instance
    if kind not in _KINDS:
        raise ValueError(f"unknown value kind {kind!r}")
    return _KINDS[kind][2](value)


def _array_state(array):
    if array.dtype.hasobject:
        return {"shape": list(array.shape), "objects": encode(array.ravel().tolist())}
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "bytes": torch.from_numpy(
            np.frombuffer(np.ascontiguousarray(array).tobytes(), np.uint8).copy()
        ),
    }


def _array(state):
    if "objects" in state:
        items = decode(state["objects"])
        # Filled item by item: np.array would turn tuples into rows.
        array = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            array[i] = item
        return array.reshape(state["shape"])
    data = state["bytes"].numpy().tobytes()
    return np.frombuffer(data, np.dtype(state["dtype"])).reshape(state["shape"]).copy()


def _dtype_state(dtype):
    if isinstance(dtype, np.dtype):
        return {"numpy": dtype.str}
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categories": encode(dtype.categories), "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.StringDtype):
        return {"storage": dtype.storage, "na_value": encode(dtype.na_value)}
    name = str(dtype)
    if pd.api.types.pandas_dtype(name) != dtype:
        raise ValueError(
            f"Cannot save the dtype {dtype!r}: its name {name!r} is ambiguous."
        )
    return {"pandas": name}


def _dtype(state):
    if "numpy" in state:
        return np.dtype(state["numpy"])
    if "categories" in state:
        return pd.CategoricalDtype(decode(state["categories"]), state["ordered"])
    if "storage" in state:
        return pd.StringDtype(state["storage"], na_value=decode(state["na_value"]))
    return pd.api.types.pandas_dtype(state["pandas"])


def _index_state(index):
    if isinstance(index, pd.RangeIndex):
        return {
            "range": [index.start, index.stop, index.step],
            "name": encode(index.name),
        }
    return {
        "values": encode(np.asarray(index, dtype=object)),
        "dtype": encode(index.dtype),
        "name": encode(index.name),
    }


def _index(state):
    if "range" in state:
        return pd.RangeIndex(*state["range"], name=decode(state["name"]))
    return pd.Index(
        decode(state["values"]),
        dtype=decode(state["dtype"]),
        name=decode(state["name"]),
    )


def _generator(state):
    state = decode(state["state"])
    bit_generator = _BIT_GENERATORS[state["bit_generator"]]()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _random_state(state):
    random_state = np.random.RandomState()
    random_state.set_state(decode(state["state"]))
    return random_state


# kind -> (is it this kind?, describe it, rebuild it). Order matters: a numpy
# scalar is checked before the plain types it may subclass.
_KINDS = {
    "scalar": (
        lambda v: isinstance(v, np.generic),
        lambda v: _array_state(np.asarray(v)),
        lambda s: _array(s)[()],
    ),
    "ndarray": (lambda v: isinstance(v, np.ndarray), _array_state, _array),
    "dtype": (
        lambda v: isinstance(v, np.dtype | pd.api.extensions.ExtensionDtype),
        _dtype_state,
        _dtype,
    ),
    "index": (lambda v: type(v) in (pd.Index, pd.RangeIndex), _index_state, _index),
    "NA": (lambda v: v is pd.NA, lambda v: {}, lambda s: pd.NA),
    "NaT": (lambda v: v is pd.NaT, lambda v: {}, lambda s: pd.NaT),
    "device": (
        lambda v: isinstance(v, torch.device),
        lambda v: {"v": str(v)},
        lambda s: torch.device(s["v"]),
    ),
    "generator": (
        lambda v: isinstance(v, np.random.Generator),
        lambda v: {"state": encode(v.bit_generator.state)},
        _generator,
    ),
    "random_state": (
        lambda v: isinstance(v, np.random.RandomState),
        lambda v: {"state": encode(v.get_state(legacy=False))},
        _random_state,
    ),
}
