// Psc\Worker\Command: a name and arguments, serialized with PHP's own
// serialize() for the trip between processes.
#include "ext/ripple_ext.hpp"

extern "C" {
#include "ext/standard/php_var.h"
#include "zend_smart_str.h"
}

#include "ext/command_arginfo.h"

namespace ripple::ext {
namespace {

constexpr uint32_t kNameSlot = 0;
constexpr uint32_t kArgumentsSlot = 1;

void init_props(zend_object* obj, zend_string* name, zval* arguments) {
    zval* n = OBJ_PROP_NUM(obj, kNameSlot);
    zval* a = OBJ_PROP_NUM(obj, kArgumentsSlot);
    zval_ptr_dtor(n);
    zval_ptr_dtor(a);
    ZVAL_STR_COPY(n, name);
    if (arguments) ZVAL_COPY(a, arguments);
    else ZVAL_EMPTY_ARRAY(a);
}

// Finds a resource (which serialize() would silently turn into 0) or a value
// nested too deep; writes where it is into `path`.
bool find_unsendable(zval* value, std::string& path, std::string& what, int depth) {
    ZVAL_DEREF(value);
    if (Z_TYPE_P(value) == IS_RESOURCE) {
        what = "a resource";
        return true;
    }
    if (depth > 64) {
        what = "nested more than 64 levels deep (a reference cycle?)";
        return true;
    }
    HashTable* ht = nullptr;
    if (Z_TYPE_P(value) == IS_ARRAY) ht = Z_ARRVAL_P(value);
    else if (Z_TYPE_P(value) == IS_OBJECT && Z_OBJ_P(value)->ce->type == ZEND_USER_CLASS) ht = Z_OBJPROP_P(value);
    if (ht == nullptr) return false;
    zend_ulong idx;
    zend_string* key;
    zval* item;
    ZEND_HASH_FOREACH_KEY_VAL(ht, idx, key, item) {
        const size_t mark = path.size();
        path += key ? "['" + std::string(ZSTR_VAL(key), ZSTR_LEN(key)) + "']" : "[" + std::to_string(idx) + "]";
        if (find_unsendable(item, path, what, depth + 1)) return true;
        path.resize(mark);
    }
    ZEND_HASH_FOREACH_END();
    return false;
}

}  // namespace

zend_object* command_create(zend_string* name, zval* arguments) {
    zval obj;
    object_init_ex(&obj, command_ce);
    init_props(Z_OBJ(obj), name, arguments);
    return Z_OBJ(obj);
}

bool command_serialize(zend_object* command, std::string& out, const char* call) {
    zval* name = OBJ_PROP_NUM(command, kNameSlot);
    zval* arguments = OBJ_PROP_NUM(command, kArgumentsSlot);
    if (Z_TYPE_P(name) != IS_STRING || Z_TYPE_P(arguments) != IS_ARRAY) {
        throw_worker_exception("%s: the Command was not constructed (call its constructor first)", call);
        return false;
    }
    std::string path = "$arguments";
    std::string what;
    if (find_unsendable(arguments, path, what, 0)) {
        throw_worker_exception("%s: Command '%s' cannot be sent: %s is %s; send plain data instead", call,
                               Z_STRVAL_P(name), path.c_str(), what.c_str());
        return false;
    }
    zval pair;
    array_init_size(&pair, 2);
    Z_TRY_ADDREF_P(name);  // may be interned, or the immutable empty array
    add_assoc_zval(&pair, "name", name);
    Z_TRY_ADDREF_P(arguments);
    add_assoc_zval(&pair, "arguments", arguments);

    smart_str buf = {nullptr, 0};
    php_serialize_data_t var_hash;
    PHP_VAR_SERIALIZE_INIT(var_hash);
    php_var_serialize(&buf, &pair, &var_hash);
    PHP_VAR_SERIALIZE_DESTROY(var_hash);
    zval_ptr_dtor(&pair);

    if (EG(exception)) {
        smart_str_free(&buf);
        zend_object* previous = EG(exception);
        zval msg;
        ZVAL_UNDEF(&msg);
        zend_string* text = zval_get_string(zend_read_property(zend_ce_exception, previous, "message",
                                                               sizeof("message") - 1, 1, &msg));
        std::string reason(ZSTR_VAL(text), ZSTR_LEN(text));
        zend_string_release(text);
        GC_ADDREF(previous);
        zend_clear_exception();
        throw_worker_exception("%s: Command '%s' cannot be serialized: %s; send plain data instead", call,
                               Z_STRVAL_P(name), reason.c_str());
        zend_exception_set_previous(EG(exception), previous);
        return false;
    }
    const size_t len = buf.s ? ZSTR_LEN(buf.s) : 0;
    if (len > max_command_size()) {
        smart_str_free(&buf);
        throw_worker_exception("%s: Command '%s' is %zu bytes serialized, over ripple.max_command_size (%zu bytes); "
                               "send less data or raise the limit",
                               call, Z_STRVAL_P(name), len, max_command_size());
        return false;
    }
    out.assign(ZSTR_VAL(buf.s), len);
    smart_str_free(&buf);
    return true;
}

zend_object* command_unserialize(const char* data, size_t len) {
    zval rv;
    ZVAL_UNDEF(&rv);
    php_unserialize_data_t var_hash;
    PHP_VAR_UNSERIALIZE_INIT(var_hash);
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    const bool ok = php_var_unserialize(&rv, &p, p + len, &var_hash);
    PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
    zend_object* result = nullptr;
    if (ok && !EG(exception) && Z_TYPE(rv) == IS_ARRAY) {
        zval* name = zend_hash_str_find(Z_ARRVAL(rv), "name", sizeof("name") - 1);
        zval* arguments = zend_hash_str_find(Z_ARRVAL(rv), "arguments", sizeof("arguments") - 1);
        if (name && arguments && Z_TYPE_P(name) == IS_STRING && Z_TYPE_P(arguments) == IS_ARRAY) {
            result = command_create(Z_STR_P(name), arguments);
        }
    }
    zval_ptr_dtor(&rv);
    if (result == nullptr && !EG(exception)) {
        throw_worker_exception("Command::fromString(): the data is not a serialized Command (%zu bytes)", len);
    }
    return result;
}

}  // namespace ripple::ext

using namespace ripple::ext;

ZEND_METHOD(Psc_Worker_Command, __construct) {
    zend_string* name;
    zval* arguments = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(name)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY(arguments)
    ZEND_PARSE_PARAMETERS_END();
    if (Z_TYPE_P(OBJ_PROP_NUM(Z_OBJ_P(ZEND_THIS), 0)) != IS_UNDEF) {
        zend_throw_error(nullptr, "Cannot modify readonly property Psc\\Worker\\Command::$name");
        RETURN_THROWS();
    }
    init_props(Z_OBJ_P(ZEND_THIS), name, arguments);
}

ZEND_METHOD(Psc_Worker_Command, make) {
    zend_string* name;
    zval* arguments = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(name)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY(arguments)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_OBJ(command_create(name, arguments));
}

ZEND_METHOD(Psc_Worker_Command, __toString) {
    ZEND_PARSE_PARAMETERS_NONE();
    std::string out;
    if (!command_serialize(Z_OBJ_P(ZEND_THIS), out, "Command::__toString()")) RETURN_THROWS();
    RETURN_STRINGL(out.data(), out.size());
}

ZEND_METHOD(Psc_Worker_Command, fromString) {
    zend_string* data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    zend_object* obj = command_unserialize(ZSTR_VAL(data), ZSTR_LEN(data));
    if (obj == nullptr) RETURN_THROWS();
    RETURN_OBJ(obj);
}

namespace ripple::ext {
void register_command_class() { command_ce = register_class_Psc_Worker_Command(); }
}  // namespace ripple::ext
